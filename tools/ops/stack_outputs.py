"""Reads a stack's outputs with `pulumi stack output --json --show-secrets -s <stack>`.

The engine and the state backend are the ones `. bootstrap/env.sh` sets up (or the user's own login); the
document's shape is docs/outputs.md.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Mapping, Optional

from .errors import OperationsError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def read_stack_outputs(stack: str, pulumi: Optional[str] = None, cwd: Path = PROJECT_ROOT) -> Mapping[str, Any]:
    """The stack's output document; an unknown stack or a missing engine is an :class:`OperationsError`."""
    program = pulumi or shutil.which("pulumi")
    if program is None:
        raise OperationsError(f"reading the outputs of stack {stack!r} needs the pulumi CLI, which is not on PATH; "
                              "run `. bootstrap/env.sh` first (it provides the project's engine)")
    try:
        done = subprocess.run([program, "stack", "output", "--json", "--show-secrets", "-s", stack,
                               "--non-interactive"], cwd=cwd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise OperationsError(f"`pulumi stack output -s {stack}` did not finish within 120 s") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        reason = message[-1].removeprefix("error: ") if message else f"exit status {done.returncode}"
        if "no stack named" in reason or "not found" in reason:
            raise OperationsError(f"unknown stack {stack!r}: {reason}. List the stacks with `pulumi stack ls`.")
        raise OperationsError(f"cannot read the outputs of stack {stack!r}: {reason}")
    try:
        outputs = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        raise OperationsError(f"`pulumi stack output --json -s {stack}` did not print JSON") from None
    if not isinstance(outputs, dict):
        raise OperationsError(f"`pulumi stack output --json -s {stack}` printed {type(outputs).__name__}, not an object")
    return outputs
