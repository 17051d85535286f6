"""The apps' env files rendered from a stack's output document (docs/outputs.md, schema version 1).

For a stack: `.env.backend` (what the stack gives its backend, with the URLs a machine outside the platform can
reach), `.env.<app>` for every frontend (its variant included) and, when the stack has a mobile channel,
`eas.json` with the stack's build profile (`build.<stack>.channel` and env). The values come from the same
functions the program wires its platforms with (components/backend_env.py, components/frontend_builds.py,
components/mobile_channel.py), so they cannot drift apart.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from components.backend_env import backend_env
from components.frontend_builds import variant_build_values
from components.mobile_channel import eas_build_profile
from providers.local.env_file import render_dotenv

from .errors import OperationsError

SUPPORTED_SCHEMA = 1
EAS_JSON = "eas.json"


def _require(outputs: Mapping[str, Any], *path: str) -> Any:
    value: Any = outputs
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            raise OperationsError(f"the stack outputs have no {'.'.join(path)}; deploy the stack with this version of "
                                  f"stagecraft (pulumi up), then render again")
        value = value[part]
    return value


def _check_document(outputs: Mapping[str, Any]) -> None:
    version = outputs.get("schemaVersion")
    if version != SUPPORTED_SCHEMA:
        raise OperationsError(f"the stack outputs have schemaVersion {version!r}; this stagecraft reads version "
                              f"{SUPPORTED_SCHEMA}. Update stagecraft, or render with the version that deployed it.")
    if "[secret]" in json.dumps(outputs):
        raise OperationsError("the stack outputs hold masked secrets: read them with "
                              "`pulumi stack output --json --show-secrets`")


def backend_file(outputs: Mapping[str, Any]) -> dict[str, str]:
    """`.env.backend`: the backend's settings from the outputs."""
    storage = _require(outputs, "storage")
    plain, secret = backend_env(
        environment=_require(outputs, "environment"), storage_platform=_require(outputs, "storage", "platform"),
        bucket=storage.get("bucket"), endpoint=storage.get("endpoint"), access_key_id=storage.get("accessKeyId"),
        secret_access_key=storage.get("secretAccessKey"), database_url=_require(outputs, "database", "connectionUri"),
        redis_url=_require(outputs, "redis", "url"), jwt_secret=_require(outputs, "jwtSecret"))
    return {key: "" if value is None else str(value) for key, value in {**plain, **secret}.items()}


def frontend_file(outputs: Mapping[str, Any], app: str) -> dict[str, str]:
    """`.env.<app>`: what the app is built with (API URL, environment, its variant)."""
    entry = _require(outputs, "apps", app)
    values = variant_build_values(entry.get("variant"), _require(outputs, "api", "url"),
                                  _require(outputs, "environment"))
    return {key: str(value) for key, value in values.items()}


def eas_profile(outputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stack's `eas.json` build profile, or None when the stack has no mobile channel."""
    mobile = outputs.get("mobile")
    if not mobile:
        return None
    return eas_build_profile(_require(outputs, "mobile", "channel"), _require(outputs, "mobile", "apiUrl"),
                             _require(outputs, "environment"))


def preview_base(outputs: Mapping[str, Any]) -> str | None:
    """The base stack of a `pr-<n>` document (None for any other stack): its cache and bucket are the base's, so its
    document holds no backend file's worth of settings."""
    pr = outputs.get("pr")
    return str(pr.get("base") or "") or None if isinstance(pr, Mapping) else None


def env_files(outputs: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """File name -> variables for the backend and each frontend (a `pr-<n>` stack: each frontend only)."""
    _check_document(outputs)
    files = {} if preview_base(outputs) else {".env.backend": backend_file(outputs)}
    for app in sorted(_require(outputs, "apps")):
        files[f".env.{app}"] = frontend_file(outputs, app)
    return files


def eas_document(profile_name: str, profile: Mapping[str, Any], existing: Mapping[str, Any] | None = None) -> dict:
    """`eas.json` with `build.<profile_name>` set to `profile`; every other key of `existing` kept as it was."""
    document = json.loads(json.dumps(existing or {}))
    build = document.setdefault("build", {})
    if not isinstance(build, dict):
        raise OperationsError(f"{EAS_JSON}: `build` is not an object; fix the file or render into another one")
    build[profile_name] = dict(profile)
    return document


def write_private(path: Path, text: str) -> Path:
    """Write `text` to `path` readable by its owner only (0600), also when the file existed with wider modes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
    return path


def write_env_files(folder: Path, files: Mapping[str, Mapping[str, str]]) -> list[Path]:
    """Write each dotenv file into `folder` (mode 0600); returns the paths written."""
    return [write_private(folder / name, render_dotenv(dict(values))) for name, values in files.items()]


def write_eas_json(path: Path, profile_name: str, profile: Mapping[str, Any]) -> Path:
    """Merge the profile into the `eas.json` at `path` (made when missing), mode 0600."""
    existing = None
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OperationsError(f"{path}: cannot read it as JSON ({exc}); fix it or pass another --eas-json") from None
        if not isinstance(existing, dict):
            raise OperationsError(f"{path}: is not a JSON object; fix it or pass another --eas-json")
    return write_private(path, json.dumps(eas_document(profile_name, profile, existing), indent=2) + "\n")
