"""local:ReleaseLedger: what `stagecraft rollback` reads, kept in the stack's own state."""

from __future__ import annotations

from providers._http import UNKNOWN
from providers.local.release_ledger import KEPT_RELEASES, ReleaseLedgerProvider

V1 = {"image": "api:1", "builds": {"web": {"key": "a" * 64, "digest": "1" * 64}}, "rollback_to": None}
V2 = {"image": "api:2", "builds": {"web": {"key": "b" * 64, "digest": "2" * 64}}, "rollback_to": None}


def test_create_records_the_first_release_with_its_time():
    created = ReleaseLedgerProvider().create(V1)
    (entry,) = created.outs["releases"]
    assert (entry["image"], entry["builds"], entry["rollbackTo"]) == ("api:1", V1["builds"], None) and entry["at"]


def test_a_new_release_is_appended_to_the_ones_before():
    created = ReleaseLedgerProvider().create(V1)
    updated = ReleaseLedgerProvider().update("release-ledger", created.outs, V2)
    assert [r["image"] for r in updated.outs["releases"]] == ["api:1", "api:2"]


def test_an_unchanged_release_is_no_change():
    assert not ReleaseLedgerProvider().diff("release-ledger", {**V1, "releases": []}, V1).changes


def test_a_rollback_is_a_new_release_naming_the_update_it_serves_again():
    diff = ReleaseLedgerProvider().diff("release-ledger", {**V1, "releases": []}, {**V1, "rollback_to": 1})
    assert diff.changes and not diff.replaces


def test_only_the_newest_releases_are_kept():
    outs = ReleaseLedgerProvider().create(V1).outs
    for n in range(KEPT_RELEASES + 5):
        outs = ReleaseLedgerProvider().update("release-ledger", outs, {**V1, "image": f"api:{n}"}).outs
    assert len(outs["releases"]) == KEPT_RELEASES and outs["releases"][-1]["image"] == f"api:{KEPT_RELEASES + 4}"


def test_builds_not_known_during_a_preview_pass_check():
    assert ReleaseLedgerProvider().check({}, {**V1, "builds": {"web": UNKNOWN}}).failures == []


def test_a_build_without_its_digest_fails_check():
    failures = ReleaseLedgerProvider().check({}, {**V1, "builds": {"web": {"key": "a" * 64}}}).failures
    assert [f.property for f in failures] == ["builds"]


def test_read_changes_nothing():
    outs = ReleaseLedgerProvider().create(V1).outs
    assert ReleaseLedgerProvider().read("release-ledger", outs).outs == outs
