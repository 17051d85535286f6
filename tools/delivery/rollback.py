"""`stagecraft rollback -s <stack> [--to <update>]`: serve the image and frontend builds of an earlier update again.

What 3.79 offers: `pulumi stack history --json` lists every update (version, kind, result, start and end time, the
config it ran with; on the self-managed backends every version reads 0, so updates are numbered oldest first from 1); `pulumi stack export --version` gives an earlier checkpoint only on the Pulumi Cloud backend (the
file and S3 backends answer "does not provide the ability to export previous deployments"). So the stack keeps its own
release ledger in its state (`local:ReleaseLedger`, read with `pulumi stack export`, which every backend offers): each
successful update's backend image and each app's build artifact (its content address in `providers/build/` and its
digest), with the time it was recorded, which falls inside that update in the history.

The rollback picks the release (`--to N`: the one update N served; default: the newest earlier release that differs
from what is served now and was not itself rolled back), checks that its build artifacts are on this machine, sets
`stagecraft:rollback` (image, builds, the update) on the stack and runs `pulumi up`. The program then deploys exactly
those: the backend's image and every pinned app's artifact, and its outputs say so (`release.rolledBackTo`). A failed
`up` puts the previous `stagecraft:rollback` back. The next deploy from git carries no such key and deploys the
current code again.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence

from tools.ops.command import Command
from tools.ops.errors import OperationsError

from .pulumi_cli import PROJECT_ROOT, PulumiCli

LEDGER_TYPE = "pulumi-python:dynamic/local:ReleaseLedger"
ROLLBACK_KEY = "stagecraft:rollback"
SECOND = timedelta(seconds=1)
"""`pulumi stack history` gives whole seconds (time.Unix(...) in cmd/pulumi/stack_history.go)."""


@dataclass(frozen=True)
class Update:
    """One entry of `pulumi stack history`."""

    version: int
    kind: str
    result: str
    start: datetime
    end: Optional[datetime]

    def holds(self, moment: datetime) -> bool:
        """Whether `moment` falls inside this update (to the second)."""
        return self.start <= moment and (self.end is None or moment < self.end + SECOND)


@dataclass(frozen=True)
class Release:
    """What the stack served after one update."""

    at: datetime
    image: str
    builds: Mapping[str, Mapping[str, str]]
    rollback_to: Optional[int]

    def same_as(self, other: "Release") -> bool:
        """Same image and builds (whatever update recorded them)."""
        return (self.image, dict(self.builds)) == (other.image, dict(other.builds))

    def pin(self, update: int) -> dict[str, Any]:
        """The `stagecraft:rollback` value that serves this release again."""
        return {"toUpdate": update, "image": self.image or None,
                "builds": {app: {"artifactKey": b["key"], "artifactDigest": b["digest"]}
                           for app, b in sorted(self.builds.items())}}


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_history(text: str) -> List[Update]:
    """The updates of `pulumi stack history --json` (newest first there), oldest first. The 3.79 self-managed backends
    (file, S3) report version 0 for every update (`filestate` never numbers its history files); those are numbered
    here by position, oldest first from 1, as later engines number them."""
    listed = json.loads(text or "[]")
    unnumbered = bool(listed) and all(int(u.get("version") or 0) == 0 for u in listed)
    updates = [Update(len(listed) - index if unnumbered else int(u["version"]), str(u.get("kind")),
                      str(u.get("result")), _time(u["startTime"]), _time(u["endTime"]) if u.get("endTime") else None)
               for index, u in enumerate(listed)]
    return sorted(updates, key=lambda u: u.version)


def parse_ledger(export: str) -> List[Release]:
    """The releases in the stack's ledger (`pulumi stack export`), oldest first; [] when it has none."""
    deployment = (json.loads(export or "{}").get("deployment") or {})
    ledgers = [r for r in deployment.get("resources") or [] if r.get("type") == LEDGER_TYPE]
    if not ledgers:
        return []
    return [Release(_time(r["at"]), str(r.get("image") or ""), dict(r.get("builds") or {}), r.get("rollbackTo"))
            for r in (ledgers[0].get("outputs") or {}).get("releases") or []]


def update_of(release: Release, updates: Sequence[Update]) -> Optional[Update]:
    """The update during which the release was recorded."""
    return next((u for u in reversed(updates) if u.kind == "update" and u.holds(release.at)), None)


def choose(releases: Sequence[Release], updates: Sequence[Update], to: Optional[int]) -> tuple[Release, Update]:
    """The release to serve again and the update it belongs to; OperationsError when there is none."""
    if not releases:
        raise OperationsError("the stack has no release ledger yet (it was last deployed by a program without one); "
                              "deploy it once, then a later rollback has something to go back to")
    current = releases[-1]
    if to is not None:
        return _release_of_update(releases, updates, to, current)
    # A release that a rollback replaced is the bad one it rolled back from: never a target.
    undone = {i for i in range(len(releases) - 1) if releases[i + 1].rollback_to is not None}
    for index in range(len(releases) - 2, -1, -1):
        candidate = releases[index]
        update = update_of(candidate, updates)
        if index in undone or candidate.same_as(current) or update is None or update.result != "succeeded":
            continue
        return candidate, update
    raise OperationsError("no earlier successful update served anything different from what the stack serves now; "
                          "nothing to roll back to (see `pulumi stack history`)")


def _release_of_update(releases: Sequence[Release], updates: Sequence[Update], to: int,
                       current: Release) -> tuple[Release, Update]:
    update = next((u for u in updates if u.version == to), None)
    if update is None or update.kind != "update" or update.result != "succeeded":
        known = ", ".join(str(u.version) for u in updates if u.kind == "update" and u.result == "succeeded")
        raise OperationsError(f"--to {to}: not a successful update of this stack (successful updates: "
                              f"{known or 'none'}; `pulumi stack history` lists them)")
    served = [r for r in releases if update.end is None or r.at < update.end + SECOND]
    if not served:
        raise OperationsError(f"--to {to}: the stack's ledger has no release from then (it keeps the newest ones "
                              "only, or that update ran before the ledger existed)")
    if served[-1].same_as(current):
        raise OperationsError(f"--to {to}: that update served what the stack serves now; nothing to roll back")
    return served[-1], update


def missing_artifacts(release: Release, build_dir: Path) -> List[str]:
    """Apps whose build of that release is not in this machine's build directory."""
    return [app for app, build in sorted(release.builds.items()) if not (build_dir / build["key"]).is_dir()]


def _run(cli: PulumiCli, *args: str) -> str:
    result = cli.run(*args)
    if not result.ok:
        raise OperationsError(f"`pulumi {' '.join(args)}` failed: {result.reason()}")
    return result.stdout


def rollback(cli: PulumiCli, stack: str, to: Optional[int], build_dir: Path, policy_pack: Optional[Path],
             out: Any = sys.stdout) -> int:
    """Serve the chosen earlier release again with `pulumi up`; exit status 0 when the outputs say so."""
    updates = parse_history(_run(cli, "stack", "history", "--json", "-s", stack))
    release, update = choose(parse_ledger(_run(cli, "stack", "export", "-s", stack)), updates, to)
    missing = missing_artifacts(release, build_dir)
    if missing:
        raise OperationsError(f"the builds of update {update.version} for {', '.join(missing)} are not in {build_dir} "
                              "on this machine (artifacts are content-addressed there); run the rollback where that "
                              "update ran, or restore the folder. Nothing was changed.")
    previous = cli.run("config", "get", ROLLBACK_KEY, "-s", stack)
    out.write(f"rolling back {stack} to update {update.version} ({update.start:%Y-%m-%d %H:%M:%S} UTC): image "
              f"{release.image or '(none)'}, {len(release.builds)} frontend build(s)\n")
    _run(cli, "config", "set", ROLLBACK_KEY, json.dumps(release.pin(update.version)), "-s", stack)
    pack = ["--policy-pack", str(policy_pack)] if policy_pack else []
    result = cli.run("up", "--yes", "-s", stack, *pack)
    if not result.ok:
        if previous.ok:
            cli.run("config", "set", ROLLBACK_KEY, previous.stdout.strip(), "-s", stack)
        else:
            cli.run("config", "rm", ROLLBACK_KEY, "-s", stack)
        out.write(f"FAILED: `pulumi up` of the rollback failed ({result.reason()}); {ROLLBACK_KEY} is as it was\n")
        return 1
    outputs = json.loads(_run(cli, "stack", "output", "--json", "-s", stack) or "{}")
    served = (outputs.get("release") or {})
    if served.get("rolledBackTo") != update.version:
        out.write(f"FAILED: the stack's outputs do not say it serves update {update.version} (release: {served})\n")
        return 1
    out.write(f"rolled back: {stack} serves update {update.version} again (release.rolledBackTo = {update.version}, "
              f"image {served.get('image') or '(none)'}); the next deploy from git replaces it, or "
              f"`pulumi config rm {ROLLBACK_KEY} -s {stack}` and `pulumi up`\n")
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft rollback`."""
    parser.add_argument("-s", "--stack", required=True, help="the stack to roll back")
    parser.add_argument("--to", type=int, help="the update (pulumi stack history version) to serve again "
                                               "(default: the newest earlier one that served something else)")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT, help="the Pulumi project (default: this one)")
    parser.add_argument("--policy-pack", type=Path, help="policy pack to run the update under (default: the "
                                                         "project's policies/)")
    parser.add_argument("--no-policy-pack", action="store_true", help="run the update without a policy pack")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Roll the stack back; exit 1 when the update fails or the outputs do not confirm it."""
    from providers.build.builder import build_dir

    if args.to is not None and args.to < 1:
        raise OperationsError("--to must be an update number (1 or more), as `pulumi stack history` shows")
    pack = None if args.no_policy_pack else (args.policy_pack or args.project_dir / "policies")
    if pack is not None and not pack.is_dir():
        raise OperationsError(f"--policy-pack {pack} is not a folder (or pass --no-policy-pack)")
    cli = PulumiCli(cwd=args.project_dir)
    return rollback(cli, args.stack, args.to, build_dir(args.project_dir), pack, out or sys.stdout)


COMMAND = Command(name="rollback", help="serve the image and frontend builds of an earlier update of a stack again",
                  configure=configure, run=run)
