"""`stagecraft health-check -s <stack>`: after a deploy, is the stack serving? (the deploy workflow's gate)

Reads the stack's outputs (docs/outputs.md) and asks the backend's `api.healthUrl` and every frontend's
`apps.<name>.url` for a 200, trying each up to `--attempts` times `--interval` seconds apart (a new deployment may
take a little while to take traffic). Exit 0 when every URL answered 200, 1 otherwise, with one line per URL.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Mapping, Tuple

import httpx

from tools.ops.command import Command
from tools.ops.errors import OperationsError
from tools.ops.stack_outputs import read_stack_outputs


@dataclass(frozen=True)
class Probe:
    """One URL's outcome."""

    name: str
    url: str
    healthy: bool
    detail: str


def urls_of(outputs: Mapping[str, Any], stack: str) -> List[Tuple[str, str]]:
    """(name, url) of the backend's health endpoint and every frontend."""
    api = outputs.get("api") if isinstance(outputs.get("api"), Mapping) else {}
    found = [("api", str(api["healthUrl"]))] if api.get("healthUrl") else []
    apps = outputs.get("apps") if isinstance(outputs.get("apps"), Mapping) else {}
    found += [(f"app {name}", str(app["url"])) for name, app in sorted(apps.items())
              if isinstance(app, Mapping) and app.get("url")]
    if not found:
        raise OperationsError(f"stack {stack!r} exports neither api.healthUrl nor apps.<name>.url "
                              "(docs/outputs.md); nothing to check")
    return found


def check(urls: List[Tuple[str, str]], attempts: int, interval: float, timeout: float,
          sleep: Callable[[float], None] = time.sleep) -> List[Probe]:
    """Probe until every URL answered 200 or the attempts are spent."""
    pending = dict(urls)
    results: dict = {}
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        for attempt in range(1, attempts + 1):
            for name, url in list(pending.items()):
                try:
                    status = client.get(url).status_code
                    results[name] = Probe(name, url, status == 200, f"HTTP {status}")
                except httpx.HTTPError as exc:
                    results[name] = Probe(name, url, False, f"no answer ({type(exc).__name__})")
                if results[name].healthy:
                    del pending[name]
            if not pending:
                break
            if attempt < attempts:
                sleep(interval)
    return [results[name] for name, _ in urls]


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft health-check`."""
    parser.add_argument("-s", "--stack", required=True, help="the stack just deployed")
    parser.add_argument("--attempts", type=int, default=10, help="tries per URL (default 10)")
    parser.add_argument("--interval", type=float, default=15.0, help="seconds between tries (default 15)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds one request may take (default 10)")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Probe the stack's URLs; exit 1 when any stays unhealthy."""
    stream = out or sys.stdout
    if args.attempts < 1 or args.interval < 0 or args.timeout <= 0:
        raise OperationsError("--attempts must be at least 1, --interval at least 0, --timeout above 0")
    probes = check(urls_of(read_stack_outputs(args.stack), args.stack), args.attempts, args.interval, args.timeout)
    for probe in probes:
        stream.write(f"{'healthy' if probe.healthy else 'UNHEALTHY'}  {probe.name}: {probe.url} ({probe.detail})\n")
    return 0 if all(p.healthy for p in probes) else 1


COMMAND = Command(name="health-check", help="probe a deployed stack's health and frontend URLs (the deploy gate)",
                  configure=configure, run=run)
