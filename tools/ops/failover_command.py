"""`stagecraft failover`: keep the nginx upstream on healthy backends, with hysteresis, and say how fast it switched.

Runs probe rounds every `interval` seconds until stopped (SIGTERM/SIGINT), or once with `--once` (for cron:
the hysteresis counters are kept in the `state` file between runs). Every decision is logged with the time
from the first probe of the streak that caused it to the moment nginx was reloaded.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Optional, Sequence, TextIO

from .command import Command
from .comparison import iso
from .errors import OperationsError
from .failover import Change, Controller, describe, routing
from .failover_config import Backend, FailoverConfig, load_config, resolve_backends
from .files import write_atomically
from .history import History, open_history
from .nginx import reload, render_upstream, write_upstream
from .probe import ProbeResult, probe_targets
from .stack_outputs import read_stack_outputs
from .targets import Target


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft failover`."""
    parser.add_argument("--config", type=Path, required=True, help="failover configuration (YAML or JSON, see docs/operations.md)")
    parser.add_argument("--once", action="store_true",
                        help="probe once, apply and print the decision, keep the counters in the config's state file (for cron)")
    parser.add_argument("--rounds", type=int, help="stop after this many probe rounds (default: run until stopped)")
    parser.add_argument("--history", metavar="URL", help="also record every probe in this compare history")


class Log:
    """Timestamped decision lines on standard output."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, message: str) -> None:
        self.stream.write(f"{iso(time.time())} {message}\n")
        self.stream.flush()


class Failover:
    """One controller applying its decisions to an upstream file."""

    def __init__(self, config: FailoverConfig, backends: Sequence[Backend], controller: Controller, log: Log,
                 history: Optional[History] = None) -> None:
        self.config = config
        self.backends = list(backends)
        self.controller = controller
        self.log = log
        self.history = history
        self.run_id = f"failover-{uuid.uuid4().hex[:8]}"
        self.reload_pending = False
        """A reload failed: the file is current but nginx may not be; try again next round."""

    def apply(self) -> tuple[str, bool, Optional[float]]:
        """Write the routing (when it changed) and reload; returns (routing, changed, reload seconds)."""
        routes = routing(self.backends, self.controller)
        changed = write_upstream(self.config.upstream_file, render_upstream(self.config.upstream, routes))
        reload_seconds = None
        if changed or self.reload_pending:
            result = reload(self.config.reload_argv())
            if result is not None:
                reload_seconds = result.seconds
                self.reload_pending = not result.ok
                if not result.ok:
                    self.log(f"reload failed after {result.seconds:.2f} s (retried next round): "
                             f"{result.output or 'no output'}")
        return describe(routes), changed, reload_seconds

    def probe_round(self) -> list[Change]:
        """Probe every backend once and take the results; returns the changes they caused."""
        targets = [Target(b.name, b.health) for b in self.backends]
        results = probe_targets(targets, 1, len(targets), self.config.timeout)
        now = time.time()
        if self.history is not None:
            self.history.record([r for rs in results.values() for r in rs], self.run_id)
        changes = []
        for backend in self.backends:
            result: ProbeResult = results[backend.name][0]
            change = self.controller.observe(backend.name, result.ok, result.started_at, now, result.error)
            if change is not None:
                changes.append(change)
        return changes

    def report(self, changes: Sequence[Change]) -> None:
        """Apply and log the changes of one round."""
        if not changes:
            return
        decided = time.time()
        shown, _changed, reload_seconds = self.apply()
        for change in changes:
            switched = change.seconds + (time.time() - decided)
            what = "back in service after" if change.in_service else "out of service after"
            kind = "successful" if change.in_service else "failed"
            reason = f" (last: {change.reason})" if change.reason and not change.in_service else ""
            reload_text = f"; reload {reload_seconds:.2f} s" if reload_seconds is not None else ""
            self.log(f"{change.backend} {what} {change.probes} {kind} probes in a row{reason}; switched "
                     f"{switched:.2f} s after the first {kind} probe{reload_text}; routing: {shown}")


def _load_controller(config: FailoverConfig, names: Sequence[str]) -> Controller:
    if config.state is None or not config.state.exists():
        return Controller(config.fail_after, config.recover_after)
    try:
        saved = json.loads(config.state.read_text(encoding="utf-8"))
        known = {k: v for k, v in saved.get("backends", {}).items() if k in names}
        return Controller.from_json(config.fail_after, config.recover_after, known)
    except (OSError, ValueError, TypeError) as exc:
        raise OperationsError(f"state {config.state}: cannot read the saved counters ({exc}); delete the file to "
                              f"start from 'all in service'") from None


def _save_controller(config: FailoverConfig, controller: Controller) -> None:
    assert config.state is not None
    write_atomically(config.state, json.dumps({"backends": controller.to_json()}, indent=2) + "\n")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Run the controller (see the module docstring)."""
    log = Log(out or sys.stdout)
    config = load_config(args.config)
    if args.once and config.state is None:
        raise OperationsError(f"{args.config}: --once needs `state: <file>` in the configuration, to keep the "
                              f"hysteresis counters between runs")
    if args.rounds is not None and args.rounds < 1:
        raise OperationsError("--rounds must be at least 1")
    for path, what in ((config.upstream_file.parent, "upstreamFile"), (config.state.parent if config.state else None, "state")):
        if path is not None and not path.is_dir():
            raise OperationsError(f"{args.config}: {what}: folder {path} does not exist")
    backends = resolve_backends(config, read_stack_outputs)
    controller = _load_controller(config, [b.name for b in backends])
    history = open_history(args.history) if args.history else None
    failover = Failover(config, backends, controller, log, history)
    try:
        if args.once:
            changes = failover.probe_round()
            shown, changed, _reload = failover.apply()
            for change in changes:
                state = "in service" if change.in_service else "out of service"
                log(f"{change.backend} {state} after {change.probes} probes in a row")
            log(f"routing: {shown} ({'changed, written' if changed else 'unchanged'})")
            _save_controller(config, controller)
            return 0
        shown, changed, _reload = failover.apply()
        log(f"start: routing {shown} ({'written' if changed else 'unchanged'}); probing every {config.interval:g} s; "
            f"out after {config.fail_after} failed probes, back after {config.recover_after} successful ones; "
            f"detection time {config.detection_time():g} s")
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        rounds = 0
        while not stop.is_set():
            started = time.monotonic()
            changes = failover.probe_round()
            if changes:
                failover.report(changes)
            elif failover.reload_pending:
                failover.apply()
            rounds += 1
            if args.rounds is not None and rounds >= args.rounds:
                break
            stop.wait(max(0.0, config.interval - (time.monotonic() - started)))
        log(f"stopped after {rounds} rounds; routing: {describe(routing(backends, controller))}")
        return 0
    finally:
        if history is not None:
            history.close()


COMMAND = Command("failover", "route traffic to healthy environments (nginx upstream), with hysteresis", configure, run)
