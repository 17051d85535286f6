"""Each clone's own port: chosen once from the range, skipping ports in use or claimed by another clone,
recorded in the clone's state directory and claimed in the machine cache (bootstrap/pg/ports.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List

import pytest

from bootstrap.pg import ports
from bootstrap.pg.errors import BootstrapError



def _env(tmp_path: Path, ports_range: str = "54361-54363") -> Dict[str, str]:
    return {"STAGECRAFT_CACHE": str(tmp_path / "cache"), ports.ENV_RANGE: ports_range}


def _clone(tmp_path: Path, name: str) -> Path:
    state_dir = tmp_path / name / ".stagecraft" / "postgres"
    state_dir.mkdir(parents=True)
    return state_dir


def _choose(state_dir: Path, env: Dict[str, str], busy: tuple = ()) -> int:
    said: List[str] = []
    return ports.choose(state_dir, env, lambda port: port in busy, said.append)


def test_the_first_clone_gets_the_first_port_of_the_range(tmp_path: Path) -> None:
    first = _clone(tmp_path, "a")

    assert _choose(first, _env(tmp_path)) == 54361
    assert ports.recorded(first) == 54361


def test_a_second_clone_skips_the_port_the_first_one_claimed_even_while_its_server_is_stopped(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _choose(_clone(tmp_path, "a"), env)

    assert _choose(_clone(tmp_path, "b"), env) == 54362


def test_a_port_something_listens_on_is_skipped(tmp_path: Path) -> None:
    assert _choose(_clone(tmp_path, "a"), _env(tmp_path), busy=(54361,)) == 54362


def test_the_claim_of_a_deleted_clone_is_taken_over(tmp_path: Path) -> None:
    env = _env(tmp_path)
    gone = _clone(tmp_path, "a")
    _choose(gone, env)
    shutil.rmtree(tmp_path / "a")

    assert _choose(_clone(tmp_path, "b"), env) == 54361


def test_a_record_copied_from_another_clone_is_not_taken_as_this_clones(tmp_path: Path) -> None:
    original = _clone(tmp_path, "a")
    _choose(original, _env(tmp_path))
    copy = tmp_path / "copy" / ".stagecraft" / "postgres"
    shutil.copytree(original, copy)

    assert ports.recorded(copy) is None
    assert _choose(copy, _env(tmp_path)) == 54362


def test_keep_moves_the_record_and_frees_the_old_claim(tmp_path: Path) -> None:
    env = _env(tmp_path)
    moved = _clone(tmp_path, "a")
    _choose(moved, env)

    ports.keep(moved, 54363, env)

    assert ports.recorded(moved) == 54363
    assert _choose(_clone(tmp_path, "b"), env) == 54361


def test_the_record_names_the_port_and_the_state_dir(tmp_path: Path) -> None:
    state_dir = _clone(tmp_path, "a")
    _choose(state_dir, _env(tmp_path))

    record = json.loads((state_dir / ports.RECORD_NAME).read_text())

    assert (record["port"], record["state_dir"]) == (54361, str(state_dir.resolve()))


def test_a_full_range_is_an_error_whose_advice_works_through_make(tmp_path: Path) -> None:
    env = _env(tmp_path, "54361-54362")
    _choose(_clone(tmp_path, "a"), env)

    with pytest.raises(BootstrapError) as caught:
        _choose(_clone(tmp_path, "b"), env, busy=(54362,))

    assert "STAGECRAFT_PG_PORT='<free port>' make up" in str(caught.value)
    assert "STAGECRAFT_PG_PORTS='<first>-<last>' make up" in str(caught.value)


@pytest.mark.parametrize("bad", ["abc", "54362-54361", "80-90", "54361-70000"])
def test_a_bad_range_names_the_variable(tmp_path: Path, bad: str) -> None:
    with pytest.raises(BootstrapError, match="STAGECRAFT_PG_PORTS"):
        ports.port_range({ports.ENV_RANGE: bad})


def test_the_default_range_starts_at_the_port_clones_had_before(tmp_path: Path) -> None:
    assert ports.port_range({}).first == 54329


def test_a_suggestion_is_free_unclaimed_and_not_the_port_to_avoid(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _choose(_clone(tmp_path, "a"), env)
    mine = _clone(tmp_path, "b")

    assert ports.suggestion(mine, env, lambda port: port == 54362, avoid=54361) == 54363
