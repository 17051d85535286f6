"""Real stacks (file backend, real engine) whose outputs are whatever a test needs the tools to read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.engine.cli import ProjectCopy

PROGRAM = Path(__file__).resolve().parent / "programs" / "outputs_only.py"


def outputs_stack(root: Path, stack: str, outputs: dict[str, Any], secrets: tuple[str, ...] = ()) -> ProjectCopy:
    """`pulumi up` of a stack of the `stagecraft` project that exports `outputs` (secret at `secrets`)."""
    extra = {"STAGECRAFT_TEST_OUTPUTS": json.dumps(outputs), "STAGECRAFT_TEST_SECRETS": json.dumps(list(secrets))}
    project = ProjectCopy(root, stack, {}, extra_env=extra, program=PROGRAM)
    project.up().check()
    return project


def add_stack(project: ProjectCopy, stack: str, outputs: dict[str, Any], secrets: tuple[str, ...] = ()) -> None:
    """Another stack in the same backend (the project's env holds the outputs for the next `up`)."""
    project.env["STAGECRAFT_TEST_OUTPUTS"] = json.dumps(outputs)
    project.env["STAGECRAFT_TEST_SECRETS"] = json.dumps(list(secrets))
    project.run("stack", "init", stack).check()
    project.run("up", "--yes", "--skip-preview", "-s", stack, "--non-interactive").check()
