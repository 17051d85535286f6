"""`python -m tests.emulators <cloudflare|koyeb|neon|upstash>`: serve one emulator on loopback until killed.

The first line on stdout is the base URL; for Neon each seeded project follows as `project <name> <id>`, for
Cloudflare each seeded Pages project as `pages-project <name> <subdomain>`.
`--ready-file` writes the same facts as JSON once the server listens. On SIGTERM/SIGINT the server stops,
prints the conformance summary and remaining object counts on stderr, and writes `--stats-file` (JSON).
While it runs, `GET <base>/__emulator__/stats` and `/__emulator__/objects` report the same (see control.py).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Sequence

from .base import Emulator
from .cloudflare import CloudflareEmulator
from .conformance import format_conformance_summary
from .eas import EasEmulator
from .faults import RATE_KINDS
from .github import GitHubEmulator
from .koyeb import KoyebEmulator
from .neon import NeonEmulator
from .netlify import NetlifyEmulator
from .railway import RailwayEmulator
from .render import RenderEmulator
from .server import EmulatorServer
from .upstash import UpstashEmulator

EMULATORS: dict[str, type[Emulator]] = {
    "cloudflare": CloudflareEmulator, "koyeb": KoyebEmulator, "neon": NeonEmulator, "upstash": UpstashEmulator,
    "railway": RailwayEmulator, "eas": EasEmulator, "netlify": NetlifyEmulator, "render": RenderEmulator,
    "github": GitHubEmulator}


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.emulators",
        description="Serve a local API emulator on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("api", choices=sorted(EMULATORS), help="which API to emulate")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--seed", type=int, default=None, help="seed for ids and random faults")
    parser.add_argument("--faults-rate", type=float, default=0.0, help="fraction of requests failed at random (0..1)")
    parser.add_argument(
        "--fault-kinds", default=",".join(RATE_KINDS),
        help="comma-separated kinds for --faults-rate (HTTP codes, timeout, drop_after_action, drop_before_action)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--readiness-polls", type=int, default=0, help="reads before new resources report ready")
    parser.add_argument("--project", action="append", default=[], help="neon: seed a project with this name (repeatable)")
    parser.add_argument("--organization", default="stagecraft", help="koyeb: organization name used in app domains")
    parser.add_argument(
        "--upload-token-expiry-rate", type=float, default=0.0,
        help="cloudflare: fraction of Pages asset calls that find their upload token expired (0..1)",
    )
    parser.add_argument(
        "--pages-project", action="append", default=[],
        help="cloudflare: seed a Direct Upload Pages project, NAME or NAME:PRODUCTION_BRANCH (repeatable)",
    )
    parser.add_argument("--ready-file", type=Path, help="write {base_url, projects} as JSON once listening")
    parser.add_argument("--stats-file", type=Path, help="write conformance stats and remaining objects as JSON at exit")
    return parser


def _build(args: argparse.Namespace) -> Emulator:
    if args.project and args.api != "neon":
        raise ValueError("--project only applies to the neon emulator")
    if args.pages_project and args.api != "cloudflare":
        raise ValueError("--pages-project only applies to the cloudflare emulator")
    options = {"seed": args.seed, "fail_on_violation": False}
    if args.upload_token_expiry_rate and args.api != "cloudflare":
        raise ValueError("--upload-token-expiry-rate only applies to the cloudflare emulator")
    if args.api == "koyeb":
        emulator: Emulator = KoyebEmulator(organization=args.organization, **options)
    elif args.api == "cloudflare":
        emulator = CloudflareEmulator(upload_token_expiry_rate=args.upload_token_expiry_rate, **options)
    else:
        emulator = EMULATORS[args.api](**options)
    if args.faults_rate:
        kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
        emulator.inject_rate(args.faults_rate, args.seed if args.seed is not None else 0, kinds)
    if args.latency:
        emulator.set_latency(args.latency)
    if args.readiness_polls:
        emulator.set_readiness_delay(args.readiness_polls)
    return emulator


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        emulator = _build(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    projects = {}
    if isinstance(emulator, NeonEmulator):
        projects = {name: emulator.add_project(name) for name in args.project}
    pages_projects = {}
    if isinstance(emulator, CloudflareEmulator):
        for spec in args.pages_project:
            name, _, branch = spec.partition(":")
            pages_projects[name] = emulator.add_project(name, production_branch=branch or "main")

    stop = threading.Event()

    def request_stop(signum, frame):  # noqa: ARG001 - signal handler signature
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    server = EmulatorServer(emulator, port=args.port)
    base_url = server.start()
    if args.ready_file:
        # Written before the URL is printed, so a reader that saw the URL can rely on the file.
        args.ready_file.write_text(json.dumps(
            {"api": args.api, "base_url": base_url, "projects": projects, "pages_projects": pages_projects}
        ))
    print(base_url, flush=True)
    for name, project_id in projects.items():
        print(f"project {name} {project_id}", flush=True)
    for name, subdomain in pages_projects.items():
        print(f"pages-project {name} {subdomain}", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
        stats = emulator.stats()
        print(format_conformance_summary(), file=sys.stderr)
        print(f"remaining objects: {json.dumps(stats['objects'])}", file=sys.stderr)
        if args.stats_file:
            args.stats_file.write_text(json.dumps(stats, indent=2))
    return 0
