"""`stagecraft compare`: probe every environment, keep the history, write the JSON and the page."""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Mapping, Optional

from .coldstart import DEFAULT_IDLE_PERIOD
from .command import Command
from .comparison import RunSettings, build_document
from .errors import OperationsError
from .history import open_history
from .probe import probe_targets
from .report_html import write_html
from .report_json import write_json
from .stack_outputs import read_stack_outputs
from .targets import Target, from_endpoints_file, from_stacks, parse_stack_list
from .terminal import Progress, table
from .uptime import DEFAULT_COVERAGE

DEFAULT_OUT = Path("out/compare")
HISTORY_FILE = "history.sqlite"


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft compare`."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stacks", help="comma-separated stacks whose api.healthUrl output to probe, e.g. uat,beta,preprod")
    source.add_argument("--endpoints", type=Path, metavar="FILE",
                        help="YAML or JSON map of environment name to health URL (environments that are not stacks)")
    parser.add_argument("--samples", type=int, default=20, help="probes per environment (default 20)")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight at most (default 64)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one probe may take (default 30)")
    parser.add_argument("--history", metavar="URL",
                        help=f"probe history: a file path, sqlite:///path or postgresql://… (default OUT/{HISTORY_FILE})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder for the JSON and HTML (default {DEFAULT_OUT})")
    parser.add_argument("--idle-period", type=float, default=DEFAULT_IDLE_PERIOD,
                        help="seconds without probes after which the next probe counts as a cold start (default 900)")
    parser.add_argument("--uptime-coverage", type=float, default=DEFAULT_COVERAGE,
                        help="seconds one probe speaks for in the uptime figures (default 300)")
    parser.add_argument("--usage", action="store_true",
                        help="also read free-tier usage from the platforms' usage APIs (credentials from the environment)")


def _settings(args: argparse.Namespace) -> RunSettings:
    for name in ("samples", "concurrency"):
        if getattr(args, name) < 1:
            raise OperationsError(f"--{name} must be at least 1 (got {getattr(args, name)})")
    for name in ("timeout", "idle_period", "uptime_coverage"):
        if not getattr(args, name) > 0:
            raise OperationsError(f"--{name.replace('_', '-')} must be a positive number of seconds")
    return RunSettings(samples=args.samples, concurrency=args.concurrency, timeout=args.timeout,
                       idle_period=args.idle_period, coverage=args.uptime_coverage)


def resolve_targets(args: argparse.Namespace) -> list[Target]:
    """The environments named on the command line, every URL checked."""
    if args.endpoints is not None:
        return from_endpoints_file(args.endpoints)
    return from_stacks(parse_stack_list(args.stacks), read_stack_outputs)


def _read_usage() -> Mapping[str, Any]:
    from .usage.report import read_usage

    return read_usage()


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Probe, record, report. Bad input raises OperationsError before anything is written."""
    stream = out or sys.stdout
    settings = _settings(args)
    targets = resolve_targets(args)
    if args.out.exists() and not args.out.is_dir():
        raise OperationsError(f"--out {args.out}: exists and is not a folder; choose a folder path")
    history_url: Optional[str] = args.history
    if history_url is None:
        args.out.mkdir(parents=True, exist_ok=True)
        history_url = str(args.out / HISTORY_FILE)
    with open_history(history_url) as history:
        progress = Progress(settings.samples * len(targets), len(targets), sys.stderr)
        results = probe_targets(targets, settings.samples, settings.concurrency, settings.timeout, progress)
        progress.finish()
        run_id = uuid.uuid4().hex[:12]
        history.record([r for rs in results.values() for r in rs], run_id)
        usage = _read_usage() if args.usage else None
        document = build_document(targets, results, history, settings, run_id, time.time(), usage)
    args.out.mkdir(parents=True, exist_ok=True)
    json_path = write_json(document, args.out)
    html_path = write_html(document, args.out)
    print(table(document), file=stream)
    print(f"\nwrote {json_path} and {html_path}", file=stream)
    return 0


COMMAND = Command("compare", "probe every environment's health URL and compare them against the targets",
                  configure, run)
