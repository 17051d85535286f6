"""`local:EnvFile`: a dotenv file that an app reads (written 0600, since it may hold secrets)."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BARE = re.compile(r"^[A-Za-z0-9_./:@%+,=-]*$")


@dataclass(frozen=True)
class EnvFileArgs:
    """Inputs of one dotenv file."""

    path: pulumi.Input[str]
    """Absolute path of the file."""
    values: pulumi.Input[dict[str, str]]
    """Variables to write, in order; pass secrets as secret Outputs."""


def render_dotenv(values: dict[str, str]) -> str:
    """One `KEY=value` line per variable; values that need it are double-quoted with escapes."""
    lines = []
    for key, value in values.items():
        text = "" if value is None else str(value)
        if not _BARE.match(text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        lines.append(f"{key}={text}")
    return "\n".join(lines) + "\n"


def parse_dotenv(text: str) -> dict[str, str]:
    """Inverse of `render_dotenv` (enough to detect drift in files this provider wrote)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = raw[1:-1].replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        values[key.strip()] = raw
    return values


def _write(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(render_dotenv(values))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _to_outs(path: str, values: dict[str, str]) -> dict[str, Any]:
    return {"path": path, "values": dict(values)}


class EnvFileProvider(ResourceProvider):
    """Writes, reads back, rewrites and removes one dotenv file."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        if not os.path.isabs(str(news.get("path", ""))):
            failures.append(CheckFailure("path", "path must be absolute"))
        values = news.get("values")
        # At preview the values may still be unknown (outputs of resources not yet created): nothing to check.
        bad = [k for k in values if not _KEY.match(k)] if isinstance(values, dict) else []
        if bad:
            failures.append(CheckFailure("values", f"not valid variable names: {bad}"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        path_changed = olds.get("path") != news.get("path")
        values_changed = olds.get("values") != news.get("values")
        return DiffResult(changes=path_changed or values_changed, replaces=["path"] if path_changed else [],
                          delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        _write(Path(props["path"]), props["values"])
        return CreateResult(props["path"], _to_outs(props["path"], props["values"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = Path(props.get("path") or id_)
        if not path.is_file():
            return ReadResult("", {})
        return ReadResult(id_, _to_outs(str(path), parse_dotenv(path.read_text())))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _write(Path(news["path"]), news["values"])
        return UpdateResult(_to_outs(news["path"], news["values"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        Path(props.get("path") or id_).unlink(missing_ok=True)


class EnvFile(pulumi.dynamic.Resource, module="local", name="EnvFile"):
    """A dotenv file on this machine. `values` is always stored as a secret: env files carry credentials."""

    path: pulumi.Output[str]
    """Absolute path of the file."""
    values: pulumi.Output[dict[str, str]]
    """The variables written (secret)."""

    def __init__(self, name: str, args: EnvFileArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["values"]))
        # One secret around plain values: nested secrets would make a refresh (which reads plain text back)
        # report a change of shape where nothing changed.
        values = pulumi.Output.secret(pulumi.Output.all(**args.values) if isinstance(args.values, dict)
                                      else args.values)
        super().__init__(EnvFileProvider(), name, {"path": args.path, "values": values}, opts)
