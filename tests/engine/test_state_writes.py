"""How often the real engine rewrites the dev stack's state: a fixed number of times per no-op `up` and per
`make destroy`, whatever the number of apps (a per-app write made both quadratic in the number of apps)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.app_scaling import destroy_as_make_does, stack_with
from tests.engine.cli import ProjectCopy

pytestmark = pytest.mark.engine

# The file backend logs each checkpoint it writes at verbosity 7 (pkg/backend/filestate/state.go).
SAVED = "checkpoint to:"
VERBOSE = ("-v=7", "--logtostderr")


def _deployed(tmp: Path, apps: int) -> ProjectCopy:
    stack = stack_with(tmp, apps)
    stack.up().check()
    return stack


def test_a_no_op_up_writes_the_state_as_often_with_twice_the_apps(tmp_path: Path) -> None:
    few, many = _deployed(tmp_path, 3), _deployed(tmp_path, 6)
    try:
        writes = [stack.up("--expect-no-changes", *VERBOSE).check().stderr.count(SAVED) for stack in (few, many)]
    finally:
        few.destroy()
        many.destroy()

    # A write per app would add three. The engine's snapshot persister may merge two writes that arrive
    # together, so the counts themselves can differ by one between runs of the same stack.
    assert writes[1] - writes[0] < 6 - 3, writes


def test_make_destroy_writes_the_state_once(tmp_path: Path) -> None:
    stack = _deployed(tmp_path, 3)

    destroyed = destroy_as_make_does(stack, *VERBOSE).check()

    assert destroyed.stderr.count(SAVED) == 1
    assert stack.resource_count() == 0
