"""`create_owned`: create first; adopt an existing resource only with proof that this stack made it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from providers import _http as h

CLAIM = h.Claim(api="Koyeb", kind="app", name="stagecraft-uat-api", owner="stagecraft/uat",
                resolve="Delete or rename it in the Koyeb control panel.")
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
NO_WAIT = h.Timing(scale=0)


def _dropped() -> h.TransportError:
    return h.TransportError(api="Koyeb", operation="create app", resource="a", method="POST", path="/v1/apps",
                            cause="dropped", attempts=1, maybe_applied=True)


def _conflict() -> h.Conflict:
    return h.Conflict(api="Koyeb", operation="create app", resource="a", status=409, reason="Conflict",
                      api_message="already exists", method="POST", path="/v1/apps")


def _created(when: datetime) -> dict:
    return {"id": "found", "created_at": when.isoformat()}


def _run(create, find, **kw):
    return h.create_owned(create, find, claim=CLAIM, timing=NO_WAIT, now=lambda: T0,
                          created_at=lambda r: h.parse_timestamp(r.get("created_at")), **kw)


def test_a_successful_create_sends_no_lookup():
    lookups: list[int] = []
    assert _run(lambda: {"id": "new"}, lambda: lookups.append(1)) == ({"id": "new"}, False)
    assert lookups == []


def test_a_taken_name_with_our_marker_is_adopted():
    found = {"id": "ours", "owner": "stagecraft/uat"}

    def create():
        raise _conflict()

    result = _run(create, lambda: found, proves_ownership=lambda r: r.get("owner") == "stagecraft/uat")
    assert result == (found, True)


def test_a_taken_name_without_proof_fails_naming_the_resource_and_the_stack():
    def create():
        raise _conflict()

    with pytest.raises(h.ForeignResource) as err:
        _run(create, lambda: _created(T0 + timedelta(seconds=5)))
    message = str(err.value)
    assert '"stagecraft-uat-api"' in message and "stagecraft/uat" in message and "control panel" in message


def test_a_resource_made_by_our_dropped_create_is_adopted_by_its_creation_time():
    world: list[dict] = []

    def create():
        world.append(_created(T0 + timedelta(seconds=1)))
        raise _dropped()

    assert _run(create, lambda: world[0] if world else None) == (world[0], True)
    assert len(world) == 1


def test_an_older_resource_found_after_a_dropped_create_is_not_adopted():
    def create():
        raise _dropped()

    with pytest.raises(h.ForeignResource):
        _run(create, lambda: _created(T0 - timedelta(days=3)))


def test_a_dropped_create_that_did_nothing_is_sent_again():
    attempts: list[int] = []

    def create():
        attempts.append(1)
        if len(attempts) == 1:
            raise _dropped()
        return {"id": "new"}

    assert _run(create, lambda: None) == ({"id": "new"}, False)


def test_a_refusal_that_is_not_about_the_name_is_raised_without_lookup():
    lookups: list[int] = []

    def create():
        raise h.BadRequest(api="Koyeb", operation="create app", resource="a", status=400, reason="Bad Request",
                           api_message="invalid region", method="POST", path="/v1/apps")

    with pytest.raises(h.BadRequest):
        _run(create, lambda: lookups.append(1))
    assert lookups == []


def test_timestamps_parse_from_rfc3339_and_unix_seconds():
    assert h.parse_timestamp("2026-11-30T12:00:00Z") == T0
    assert h.parse_timestamp(T0.timestamp()) == T0
    assert h.parse_timestamp("yesterday") is None
