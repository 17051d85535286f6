"""The shape of a platform's usage reader, and running one: credentials, HTTP, errors turned into a state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

import httpx

from providers._http import ApiSettings, HttpClient, InvalidSetting, MissingCredentials, ProviderError

from .allowances import Allowances
from .model import FAILED, MEASURED, NO_CREDENTIALS, PlatformUsage, Reading

Environ = Mapping[str, str]
ReadFn = Callable[[HttpClient, Allowances, Environ], tuple[list[Reading], dict[str, str]]]


@dataclass(frozen=True)
class Reader:
    """How to read one platform's usage."""

    platform: str
    settings: Callable[[Optional[Environ]], ApiSettings]
    """The platform's provider settings (credentials and base URL from the environment, as `pulumi up` reads them)."""
    read: ReadFn
    """Readings, and the allowances it could not read with the reason."""
    no_api: Mapping[str, str] = field(default_factory=dict)
    """Allowances the platform's API gives no figure for, with the reason."""


def run_reader(reader: Reader, name: str, allowances: Allowances, environ: Environ,
               transport: Optional[httpx.BaseTransport] = None) -> PlatformUsage:
    """Read one platform; missing credentials and API failures become the platform's state, never an exception."""
    try:
        settings = reader.settings(environ)
    except MissingCredentials as exc:
        return PlatformUsage(reader.platform, name, NO_CREDENTIALS, str(exc).split(" Then export")[0],
                             unmeasured={i: "not read: no credentials" for i in allowances.ids(reader.platform)})
    except InvalidSetting as exc:
        return PlatformUsage(reader.platform, name, FAILED, str(exc))
    try:
        with HttpClient(settings, transport=transport) as http:
            readings, reasons = reader.read(http, allowances, environ)
    except ProviderError as exc:
        return PlatformUsage(reader.platform, name, FAILED, str(exc),
                             unmeasured={i: "not read: the usage API failed" for i in allowances.ids(reader.platform)})
    unmeasured = {**reader.no_api, **reasons}
    measured = {r.id for r in readings}
    for allowance_id in allowances.ids(reader.platform):
        if allowance_id not in measured:
            unmeasured.setdefault(allowance_id, "the usage API gives no figure for it")
    shown = sorted(set(unmeasured) - measured)
    message = f"{len(readings)} reading(s) from the usage API"
    return PlatformUsage(reader.platform, name, MEASURED, message, readings,
                         {i: unmeasured[i] for i in shown})
