"""The failover configuration file (YAML or JSON), checked before anything is probed or written.

    upstream: stagecraft_api          # the nginx upstream block's name
    upstreamFile: /etc/nginx/conf.d/stagecraft-upstream.conf
    reloadCommand: [nginx, -s, reload]
    interval: 5                       # seconds between probe rounds
    timeout: 2                        # seconds one probe may take
    failAfter: 3                      # consecutive failed probes that take a backend out
    recoverAfter: 5                   # consecutive successful probes that bring it back
    state: /var/lib/stagecraft/failover.json   # hysteresis counters kept between `--once` runs
    backends:
      - {name: uat, health: https://uat.example.com/api/health, server: 10.0.0.5:8000, weight: 90}
      - {name: beta, stack: beta, weight: 10}       # health and server from the stack's outputs
      - {name: preprod, stack: preprod, backup: true}
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import OperationsError
from .targets import check_name, check_url

_SERVER = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$")


class BackendConfig(BaseModel):
    """One server of the upstream."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    health: Optional[str] = Field(None, description="health URL (or `stack`)")
    server: Optional[str] = Field(None, description="host:port nginx proxies to (or `stack`)")
    stack: Optional[str] = Field(None, description="read health and server from this stack's outputs")
    weight: int = Field(1, ge=1, le=1000)
    backup: bool = False

    @field_validator("server")
    @classmethod
    def _server(cls, value: Optional[str]) -> Optional[str]:
        if value is not None:
            match = _SERVER.match(value)
            if not match or not 1 <= int(match.group(2)) <= 65535:
                raise ValueError(f"{value!r} is not host:port (e.g. 10.0.0.5:8000)")
        return value

    @model_validator(mode="after")
    def _source(self) -> "BackendConfig":
        if self.stack is None and (self.health is None or self.server is None):
            raise ValueError("give `health` and `server`, or `stack` to read both from the stack's outputs")
        if self.backup and self.weight != 1:
            raise ValueError("a backup server takes no weight (nginx sends it traffic only when the others are out)")
        return self


class FailoverConfig(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    upstream: str = Field("stagecraft_api", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    upstream_file: Path = Field(alias="upstreamFile")
    reload_command: Optional[Union[str, list[str]]] = Field(None, alias="reloadCommand")
    interval: float = Field(5.0, gt=0, le=3600)
    timeout: float = Field(2.0, gt=0, le=120)
    fail_after: int = Field(3, alias="failAfter", ge=1, le=100)
    recover_after: int = Field(5, alias="recoverAfter", ge=1, le=100)
    state: Optional[Path] = None
    backends: list[BackendConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _backends(self) -> "FailoverConfig":
        names = [b.name for b in self.backends]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"backend name(s) {', '.join(repeated)} given twice")
        if all(b.backup for b in self.backends):
            raise ValueError("at least one backend must not be a backup")
        return self

    def reload_argv(self) -> Optional[list[str]]:
        """The reload command as an argument list."""
        if self.reload_command is None:
            return None
        return shlex.split(self.reload_command) if isinstance(self.reload_command, str) else list(self.reload_command)

    def detection_time(self) -> float:
        """The longest a dead backend keeps traffic: `failAfter` rounds plus one probe's timeout."""
        return self.fail_after * self.interval + self.timeout


class Backend(BaseModel):
    """A backend with its health URL and server resolved."""

    model_config = ConfigDict(frozen=True)

    name: str
    health: str
    server: str
    weight: int
    backup: bool


def _problems(path: Path, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in item["loc"]).replace(".[", "[")
        lines.append(f"{where or '(file)'}: {item['msg'].removeprefix('Value error, ')}")
    return f"{path}: " + "; ".join(lines)


def load_config(path: Path) -> FailoverConfig:
    """Read and check the file; every problem is listed in one OperationsError."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OperationsError(f"--config {path}: cannot read the file ({exc.strerror or exc})") from None
    except yaml.YAMLError:
        raise OperationsError(f"--config {path}: not valid YAML or JSON") from None
    if not isinstance(document, Mapping):
        raise OperationsError(f"--config {path}: expected a map with upstreamFile and backends (see docs/operations.md)")
    try:
        config = FailoverConfig.model_validate(document)
    except ValidationError as exc:
        raise OperationsError(_problems(path, exc)) from None
    for index, backend in enumerate(config.backends):
        check_name(backend.name, f"{path}: backends[{index}].name")
        if backend.health is not None:
            check_url(backend.health, f"{path}: backends[{index}].health")
    return config


def _server_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def resolve_backends(config: FailoverConfig, read_outputs: Callable[[str], Mapping[str, Any]]) -> list[Backend]:
    """Backends with health URL and server filled in from stack outputs where the file names a stack."""
    resolved = []
    for backend in config.backends:
        health, server = backend.health, backend.server
        if backend.stack is not None:
            api = read_outputs(backend.stack).get("api") or {}
            if health is None:
                health = check_url(api.get("healthUrl"), f"stack {backend.stack} output api.healthUrl")
            if server is None:
                server = _server_of(check_url(api.get("url"), f"stack {backend.stack} output api.url"))
        resolved.append(Backend(name=backend.name, health=health, server=server, weight=backend.weight,
                                backup=backend.backup))
    return resolved
