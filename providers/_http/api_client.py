"""The lifecycle every vendor client shares: an ``HttpClient`` made from the environment, its timing, and closing it.

A vendor client (``providers/<vendor>/client.py``) subclasses ``ApiClient``, names the function that reads its API's
settings from the environment, and adds one method per endpoint::

    class KoyebClient(ApiClient, settings=settings_from_env):
        def get_app(self, app_id: str) -> dict[str, Any]: ...
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Mapping, Optional, TypeVar

import httpx

from .client import HttpClient
from .settings import ApiSettings, Timing

SettingsFromEnv = Callable[[Optional[Mapping[str, str]]], ApiSettings]
C = TypeVar("C", bound="ApiClient")


class ApiClient:
    """One vendor API reached through ``http``. Use as a context manager: the client is closed when the block ends."""

    _settings_from_env: ClassVar[Optional[SettingsFromEnv]] = None

    def __init_subclass__(cls, *, settings: Optional[SettingsFromEnv] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if settings is not None:
            cls._settings_from_env = staticmethod(settings)

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    @classmethod
    def from_env(cls: type[C], environ: Optional[Mapping[str, str]] = None,
                 transport: Optional[httpx.BaseTransport] = None) -> C:
        """A client configured from the environment (``environ`` instead of ``os.environ`` when given); ``transport``
        replaces the network (tests)."""
        if cls._settings_from_env is None:
            raise TypeError(f"{cls.__name__} names no settings function, so it cannot be made from the environment")
        return cls(HttpClient(cls._settings_from_env(environ), transport=transport))

    @property
    def timing(self) -> Timing:
        """The retry/wait timing in force for this client."""
        return self.http.settings.timing

    def close(self) -> None:
        """Close the HTTP client (a shared connection pool stays open for the next call)."""
        self.http.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
