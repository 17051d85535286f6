"""`stagecraft affected-stacks`: which stacks a change needs previewed (the PR check's matrix).

A stack is affected by its own files (`Pulumi.<stack>.yaml`, `policies/config/<stack>.json`, and `pr.json` for
every stack a PR deploys through) and by anything that changes what every stack deploys or how it is judged: the
program (`__main__.py`, `components/`, `providers/`, `settings/`, `Pulumi.yaml`), the stand-in product
(`examples/product/`), the policy pack (`policies/` outside `config/`) and the pinned dependencies
(`pyproject.toml`, `requirements.lock`). Documentation, tests and workflows affect no stack.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable, List, Sequence

from tools.ops.command import Command
from tools.ops.errors import OperationsError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOYED_STACKS = ("uat", "beta", "preprod", "production")
"""The branch-deployed stacks, in the order of DESIGN §1 (foundation and dev are not previewed by the PR check)."""
_EVERY_STACK = re.compile(r"^(__main__\.py|Pulumi\.yaml|pyproject\.toml|requirements\.lock|"
                          r"(components|providers|settings|examples/product)/.*|policies/(?!config/).*)$")
_STACK_FILE = re.compile(r"^Pulumi\.([a-z0-9-]+)\.yaml$|^policies/config/([a-z0-9-]+)\.json$")


def affected(changed: Iterable[str], existing: Sequence[str]) -> List[str]:
    """The stacks among `existing` (those with a `Pulumi.<stack>.yaml`) that `changed` paths affect."""
    hit = set()
    for path in changed:
        if _EVERY_STACK.match(path):
            hit.update(existing)
            continue
        match = _STACK_FILE.match(path)
        if match:
            name = match.group(1) or match.group(2)
            hit.update(existing if name == "pr" else [name])
    return [s for s in existing if s in hit]


def existing_stacks(root: Path = PROJECT_ROOT) -> List[str]:
    """The deployed stacks that have a config file in the project."""
    return [s for s in DEPLOYED_STACKS if (root / f"Pulumi.{s}.yaml").is_file()]


def changed_paths(base: str, root: Path = PROJECT_ROOT) -> List[str]:
    """Paths changed between `base` and HEAD (`git diff --name-only <base>...HEAD`)."""
    done = subprocess.run(["git", "diff", "--name-only", f"{base}...HEAD"], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise OperationsError(f"cannot compare with {base!r}: {done.stderr.strip() or 'git diff failed'}; fetch the "
                              "base branch first (actions/checkout with fetch-depth: 0)")
    return [line for line in done.stdout.splitlines() if line]


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft affected-stacks`."""
    parser.add_argument("--base", required=True, help="the ref the change is compared with, e.g. origin/develop")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Print the affected stacks as a JSON list (the workflow's matrix)."""
    stream = out or sys.stdout
    stream.write(json.dumps(affected(changed_paths(args.base), existing_stacks())) + "\n")
    return 0


COMMAND = Command(name="affected-stacks", help="print, as JSON, the stacks a change affects (the PR check's matrix)",
                  configure=configure, run=run)
