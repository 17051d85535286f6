"""What `compare` probes: environment name -> health URL, from stack outputs or an endpoints file.

A stack's health URL is its `api.healthUrl` output (docs/outputs.md); an endpoints file (YAML or JSON) maps
names of environments that are not stacks to their health URLs. Every URL is checked before any probe, so a
mistake is reported at once and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence
from urllib.parse import urlsplit

import yaml

from .errors import OperationsError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class Target:
    """One environment to probe."""

    name: str
    health_url: str
    stack: Optional[str] = None
    """The stack the URL came from (None for an endpoints file entry)."""


def check_name(name: Any, where: str) -> str:
    """An environment name as used in reports: letters, digits, '.', '_' and '-', at most 63 characters."""
    if not isinstance(name, str) or not NAME.match(name):
        raise OperationsError(f"{where}: environment name {name!r} is not usable; use letters, digits, '.', '_' "
                              f"or '-' (at most 63 characters), e.g. 'staging-eu'")
    return name


def check_url(url: Any, where: str) -> str:
    """An absolute http(s) URL with a host; anything else is refused with the reason."""
    example = "https://api.example.com/api/health"
    if not isinstance(url, str) or not url.strip():
        raise OperationsError(f"{where}: expected a health URL such as {example}, got {url!r}")
    if url != url.strip() or any(ch.isspace() for ch in url):
        raise OperationsError(f"{where}: {url!r} contains spaces; write the URL without them, e.g. {example}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OperationsError(f"{where}: {url!r} is not an http(s) URL (scheme {parts.scheme or 'missing'!r}); "
                              f"write it as {example}")
    if not parts.hostname:
        raise OperationsError(f"{where}: {url!r} has no host; write it as {example}")
    try:
        parts.port
    except ValueError:
        raise OperationsError(f"{where}: {url!r} has an invalid port; ports are 1-65535, e.g. http://127.0.0.1:8000/api/health") from None
    if parts.username or parts.password:
        raise OperationsError(f"{where}: the URL carries credentials; health URLs must not (remove the user:password@ part)")
    return url


def from_endpoints_file(path: Path) -> list[Target]:
    """Targets from a YAML or JSON map of environment name -> health URL."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OperationsError(f"--endpoints {path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise OperationsError(f"--endpoints {path}: not valid YAML or JSON{where}") from None
    if not isinstance(document, Mapping) or not document:
        raise OperationsError(f"--endpoints {path}: expected a map of environment name to health URL, e.g. "
                              f"a line `staging: https://staging.example.com/api/health`")
    return [Target(check_name(name, f"--endpoints {path}"), check_url(url, f"--endpoints {path}: {name}"))
            for name, url in document.items()]


OutputsReader = Callable[[str], Mapping[str, Any]]


def from_stacks(stacks: Sequence[str], read_outputs: OutputsReader) -> list[Target]:
    """Targets from the `api.healthUrl` output of each stack."""
    targets = []
    for stack in stacks:
        check_name(stack, "--stacks")
        outputs = read_outputs(stack)
        api = outputs.get("api")
        url = api.get("healthUrl") if isinstance(api, Mapping) else None
        if url is None:
            raise OperationsError(f"stack {stack!r} has no output api.healthUrl (docs/outputs.md); run "
                                  f"`pulumi up -s {stack}` with this version of stagecraft")
        targets.append(Target(stack, check_url(url, f"stack {stack} output api.healthUrl"), stack=stack))
    return targets


def parse_stack_list(text: str) -> list[str]:
    """`uat,beta, preprod` -> ['uat', 'beta', 'preprod'], refusing empty entries and repeats."""
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise OperationsError(f"--stacks {text!r}: empty stack name; write them comma-separated, e.g. uat,beta,preprod")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise OperationsError(f"--stacks {text!r}: {', '.join(repeated)} given twice")
    return names
