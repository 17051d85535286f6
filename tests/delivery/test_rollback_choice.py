"""Which earlier release `stagecraft rollback` serves again, from `pulumi stack history --json` and the stack's ledger."""

from __future__ import annotations

import json

import pytest

from tools.delivery.rollback import Release, choose, missing_artifacts, parse_history, parse_ledger
from tools.ops.errors import OperationsError

V1 = {"web": {"key": "a" * 64, "digest": "1" * 64}}
V2 = {"web": {"key": "b" * 64, "digest": "2" * 64}}
HISTORY = json.dumps([  # newest first, as the CLI prints it
    {"version": 3, "kind": "update", "result": "succeeded", "startTime": "2026-12-01T10:20:00.000Z",
     "endTime": "2026-12-01T10:21:00.000Z"},
    {"version": 2, "kind": "refresh", "result": "succeeded", "startTime": "2026-12-01T10:10:00.000Z",
     "endTime": "2026-12-01T10:10:05.000Z"},
    {"version": 1, "kind": "update", "result": "succeeded", "startTime": "2026-12-01T10:00:00.000Z",
     "endTime": "2026-12-01T10:01:00.000Z"},
])


def _export(*releases: dict) -> str:
    ledger = {"type": "pulumi-python:dynamic/local:ReleaseLedger", "outputs": {"releases": list(releases)}}
    return json.dumps({"version": 3, "deployment": {"resources": [{"type": "pulumi:pulumi:Stack"}, ledger]}})


def _release(at: str, image: str, builds: dict, rollback_to=None) -> dict:
    return {"at": at, "image": image, "builds": builds, "rollbackTo": rollback_to}


V1_RELEASE = _release("2026-12-01T10:00:50.123+00:00", "api:1", V1)
V2_RELEASE = _release("2026-12-01T10:20:59.900+00:00", "api:2", V2)


def test_the_default_target_is_the_previous_release_that_served_something_else():
    release, update = choose(parse_ledger(_export(V1_RELEASE, V2_RELEASE)), parse_history(HISTORY), None)
    assert (update.version, release.image, release.pin(update.version)) == (1, "api:1", {
        "toUpdate": 1, "image": "api:1", "builds": {"web": {"artifactKey": "a" * 64, "artifactDigest": "1" * 64}}})


def test_a_release_recorded_in_the_last_second_of_its_update_belongs_to_it():
    (update,) = [u for u in parse_history(HISTORY) if u.version == 3]
    assert update.holds(Release(parse_ledger(_export(V2_RELEASE))[0].at, "", {}, None).at)


def test_to_names_the_update_whose_release_is_served_again():
    release, update = choose(parse_ledger(_export(V1_RELEASE, V2_RELEASE)), parse_history(HISTORY), 1)
    assert (update.version, release.image) == (1, "api:1")


def test_a_rolled_back_release_is_never_the_next_target():
    back = _release("2026-12-01T10:30:10+00:00", "api:1", V1, rollback_to=1)
    history = json.loads(HISTORY) + [{"version": 4, "kind": "update", "result": "succeeded",
                                      "startTime": "2026-12-01T10:30:00.000Z", "endTime": "2026-12-01T10:31:00.000Z"}]
    with pytest.raises(OperationsError, match="nothing to roll back to"):
        choose(parse_ledger(_export(V1_RELEASE, V2_RELEASE, back)), parse_history(json.dumps(history)), None)


def test_to_an_update_that_is_not_a_successful_update_lists_the_ones_there_are():
    with pytest.raises(OperationsError, match=r"--to 2: not a successful update of this stack \(successful updates: 1, 3"):
        choose(parse_ledger(_export(V1_RELEASE, V2_RELEASE)), parse_history(HISTORY), 2)


def test_to_the_update_serving_now_is_refused():
    with pytest.raises(OperationsError, match="serves now; nothing to roll back"):
        choose(parse_ledger(_export(V1_RELEASE, V2_RELEASE)), parse_history(HISTORY), 3)


def test_a_stack_without_a_ledger_says_why():
    with pytest.raises(OperationsError, match="no release ledger"):
        choose(parse_ledger(json.dumps({"deployment": {"resources": []}})), parse_history(HISTORY), None)


def test_updates_of_a_self_managed_backend_are_numbered_oldest_first():
    unnumbered = json.dumps([{**u, "version": 0} for u in json.loads(HISTORY)])
    assert [u.version for u in parse_history(unnumbered)] == [1, 2, 3]
    assert [u.kind for u in parse_history(unnumbered)] == ["update", "refresh", "update"]


def test_artifacts_missing_on_this_machine_are_named(tmp_path):
    (tmp_path / ("a" * 64)).mkdir()
    two = Release(parse_ledger(_export(V1_RELEASE))[0].at, "api:1", {**V1, "shop": {"key": "c" * 64, "digest": "3"}},
                  None)
    assert missing_artifacts(two, tmp_path) == ["shop"]
