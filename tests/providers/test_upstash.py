"""Upstash provider: input checks and diffs (no network), then CRUD against the Upstash emulator."""

from __future__ import annotations

import pytest

from providers._http import BadRequest, ForeignResource, MissingCredentials, Unauthorized
from providers.upstash.client import UpstashClient
from providers.upstash.redis_database import RedisDatabaseArgs, RedisDatabaseProvider, create_request, host_of
from tests.emulators import Fault, UpstashEmulator

OWNER = "stagecraft/uat"
REDIS = {"database_name": "stagecraft-uat-cache", "platform": "aws", "primary_region": "eu-central-1",
         "read_regions": [], "plan": "free", "tls": True, "eviction": False, "owner": OWNER}


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


def test_valid_inputs_pass_check():
    assert RedisDatabaseProvider().check({}, REDIS).failures == []


def test_unknown_plan_fails_check_listing_the_plans():
    reason = failures(RedisDatabaseProvider().check({}, {**REDIS, "plan": "hobby"}))["plan"]
    assert "free" in reason and "payg" in reason


def test_gcp_region_on_aws_fails_check():
    reasons = failures(RedisDatabaseProvider().check({}, {**REDIS, "primary_region": "us-east4"}))
    assert "not one of the aws regions" in reasons["primary_region"]


def test_read_region_equal_to_primary_fails_check():
    assert "read_regions" in failures(RedisDatabaseProvider().check({}, {**REDIS, "read_regions": ["eu-central-1"]}))


def test_missing_read_regions_defaults_to_none():
    result = RedisDatabaseProvider().check({}, {k: v for k, v in REDIS.items() if k != "read_regions"})
    assert result.failures == [] and result.inputs["read_regions"] == []


def test_read_region_order_does_not_count_as_a_change():
    checked = RedisDatabaseProvider().check({}, {**REDIS, "read_regions": ["us-west-1", "eu-west-1"]}).inputs
    state = {**REDIS, "read_regions": ["eu-west-1", "us-west-1"]}
    assert RedisDatabaseProvider().diff("db", state, checked).changes is False


def test_create_request_omits_empty_read_regions():
    assert "read_regions" not in create_request(RedisDatabaseArgs(**REDIS))


def test_same_inputs_diff_to_no_change():
    assert RedisDatabaseProvider().diff("db", {**REDIS, "password": "p", "port": 6379.0}, REDIS).changes is False


def test_region_change_replaces_deleting_first():
    result = RedisDatabaseProvider().diff("db", REDIS, {**REDIS, "primary_region": "eu-west-1"})
    assert result.replaces == ["primary_region"] and result.delete_before_replace is True


def test_turning_eviction_on_is_in_place():
    assert RedisDatabaseProvider().diff("db", REDIS, {**REDIS, "eviction": True}).replaces == []


def test_turning_tls_off_replaces_but_turning_it_on_does_not():
    assert RedisDatabaseProvider().diff("db", REDIS, {**REDIS, "tls": False}).replaces == ["tls"]
    assert RedisDatabaseProvider().diff("db", {**REDIS, "tls": False}, REDIS).replaces == []


def test_password_and_rest_token_are_declared_secret_outputs(registrations):
    from providers.upstash.redis_database import RedisDatabase

    RedisDatabase("cache", RedisDatabaseArgs(**REDIS))
    assert registrations[0]["type"] == "pulumi-python:dynamic/upstash:RedisDatabase"
    assert registrations[0]["opts"].additional_secret_outputs == ["password", "rest_token"]


# --- against the emulator --------------------------------------------------------------------------------

def create(upstash: UpstashEmulator, **changes: object):
    props = {**REDIS, **changes}
    return props, RedisDatabaseProvider().create(props)


def named(upstash: UpstashEmulator, name: str) -> list[dict]:
    return [d for d in upstash.objects("databases") if d["database_name"] == name]


def test_create_returns_connection_details(upstash):
    _, created = create(upstash)
    outs = created.outs
    assert outs["endpoint"].endswith(".upstash.io") and outs["port"] == 6379
    assert outs["password"] and outs["rest_token"]


def test_state_holds_no_status_upstash_changes_on_its_own(upstash):
    _, created = create(upstash)
    assert "state" not in created.outs


def test_a_slug_endpoint_becomes_its_upstash_host():
    assert host_of("beloved-stallion-58500") == "beloved-stallion-58500.upstash.io"


def test_a_full_host_endpoint_is_kept():
    assert host_of("beloved-stallion-58500.upstash.io") == "beloved-stallion-58500.upstash.io"


def test_a_slug_endpoint_answer_gives_the_same_host_as_a_host_answer(upstash):
    _, created = create(upstash)
    upstash.answer_with_slug_endpoints()
    read = RedisDatabaseProvider().read(created.id, created.outs)
    assert read.outs["endpoint"] == created.outs["endpoint"] and read.outs == created.outs


def test_a_database_created_while_upstash_answers_slugs_gets_a_full_host(upstash):
    upstash.answer_with_slug_endpoints()
    _, created = create(upstash)
    slug = upstash.objects("databases")[0]["endpoint"]
    assert "." not in slug and created.outs["endpoint"] == f"{slug}.upstash.io"


def test_create_sends_the_free_plan(upstash):
    _, created = create(upstash)
    assert named(upstash, REDIS["database_name"])[0]["type"] == "free" and created.outs["plan"] == "free"


def test_read_returns_the_state_create_returned(upstash):
    _, created = create(upstash)
    assert RedisDatabaseProvider().read(created.id, created.outs).outs == created.outs


def test_read_back_state_diffs_to_no_change(upstash):
    props, created = create(upstash)
    state = RedisDatabaseProvider().read(created.id, created.outs).outs
    assert RedisDatabaseProvider().diff(created.id, state, props).changes is False


def test_eviction_update_is_in_place(upstash):
    props, created = create(upstash)
    updated = RedisDatabaseProvider().update(created.id, created.outs, {**props, "eviction": True})
    assert updated.outs["eviction"] is True and [d["database_id"] for d in upstash.objects("databases")] == [created.id]


def test_update_sends_only_the_changed_setting(upstash):
    props, created = create(upstash)
    before = len(upstash.requests)
    RedisDatabaseProvider().update(created.id, created.outs, {**props, "eviction": True})
    posts = [r.path for r in upstash.requests[before:] if r.method == "POST"]
    assert posts == [f"/redis/enable-eviction/{created.id}"]


def test_rename_is_in_place(upstash):
    props, created = create(upstash)
    RedisDatabaseProvider().update(created.id, created.outs, {**props, "database_name": "stagecraft-uat-redis"})
    assert [d["database_id"] for d in named(upstash, "stagecraft-uat-redis")] == [created.id]


def test_region_change_replaces_within_the_one_free_database(upstash):
    props, created = create(upstash)
    news = {**props, "primary_region": "eu-west-1"}
    assert RedisDatabaseProvider().diff(created.id, created.outs, news).delete_before_replace
    RedisDatabaseProvider().delete(created.id, created.outs)
    replacement = RedisDatabaseProvider().create(news)
    assert [(d["database_id"], d["primary_region"]) for d in upstash.objects("databases")] == [
        (replacement.id, "eu-west-1")]


def test_delete_removes_the_database(upstash):
    _, created = create(upstash)
    RedisDatabaseProvider().delete(created.id, created.outs)
    assert upstash.objects("databases") == []


def test_delete_twice_succeeds(upstash):
    _, created = create(upstash)
    RedisDatabaseProvider().delete(created.id, created.outs)
    RedisDatabaseProvider().delete(created.id, created.outs)


def test_read_after_out_of_band_deletion_reports_gone(upstash):
    _, created = create(upstash)
    with UpstashClient.from_env() as client:
        client.delete_database(created.id)
    result = RedisDatabaseProvider().read(created.id, created.outs)
    assert result.id == "" and result.outs == {}


def test_create_dropped_after_acting_is_adopted_leaving_one(upstash):
    upstash.inject(Fault.drop_after_action(), method="POST", path="/redis/database", times=1)
    _, created = create(upstash)
    assert [d["database_id"] for d in upstash.objects("databases")] == [created.id]
    assert created.outs["password"]


def test_create_converges_through_429_and_503(upstash):
    upstash.inject(Fault.status(429, retry_after=1), method="POST", path="/redis/database", times=1)
    upstash.inject(Fault.status(503), times=2)
    _, created = create(upstash)
    assert [d["database_id"] for d in upstash.objects("databases")] == [created.id]


def test_create_that_hung_without_acting_is_sent_again_once(upstash):
    upstash.inject(Fault.timeout(seconds=2), method="POST", path="/redis/database", times=1)
    _, created = create(upstash)
    assert [d["database_id"] for d in upstash.objects("databases")] == [created.id]
    assert [r.status for r in upstash.requests if r.method == "POST"].count(200) == 1


def test_a_foreign_database_with_our_name_fails_create_naming_it_and_the_stack(upstash):
    with UpstashClient.from_env() as client:
        client.create_database({**create_request(RedisDatabaseArgs(**REDIS)), "eviction": True})
    with pytest.raises(ForeignResource) as err:
        create(upstash)
    message = str(err.value)
    assert '"stagecraft-uat-cache"' in message and OWNER in message and "Upstash console" in message


def test_a_foreign_database_is_untouched_by_the_failed_create_and_by_deleting_the_stack(upstash):
    upstash.free_database_limit = None
    with UpstashClient.from_env() as client:
        client.create_database({**create_request(RedisDatabaseArgs(**REDIS)), "eviction": True})
    before = upstash.objects("databases")
    with pytest.raises(ForeignResource):
        create(upstash)
    _, ours = create(upstash, database_name="stagecraft-uat-redis")
    RedisDatabaseProvider().delete(ours.id, ours.outs)
    assert upstash.objects("databases") == before


def test_a_database_made_by_our_dropped_create_is_adopted_once(upstash):
    upstash.inject(Fault.drop_after_action(), method="POST", path="/redis/database", times=1)
    _, created = create(upstash)
    posts = [r for r in upstash.requests if r.method == "POST" and r.path == "/redis/database"]
    assert [d["database_id"] for d in upstash.objects("databases")] == [created.id] and len(posts) == 1


def test_lifecycle_converges_under_random_faults(upstash):
    upstash.inject_rate(fraction=0.2, seed=7, kinds=("429", "500", "503", "drop_after_action"))
    props, created = create(upstash)
    RedisDatabaseProvider().update(created.id, created.outs, {**props, "eviction": True})
    RedisDatabaseProvider().delete(created.id, created.outs)
    assert upstash.objects("databases") == []


def test_second_free_database_is_refused_with_the_api_reason(upstash):
    create(upstash)
    with pytest.raises(BadRequest) as err:
        create(upstash, database_name="stagecraft-beta-cache")
    assert 'create redis database "stagecraft-beta-cache"' in str(err.value) and "free" in str(err.value)


def test_missing_email_fails_with_the_variable_name(upstash, monkeypatch):
    monkeypatch.delenv("UPSTASH_EMAIL")
    with pytest.raises(MissingCredentials) as err:
        create(upstash)
    assert "UPSTASH_EMAIL" in str(err.value)


def test_wrong_api_key_fails_unauthorized_without_echoing_it(upstash, monkeypatch):
    monkeypatch.setenv("UPSTASH_API_KEY", "wrong-upstash-key")
    with pytest.raises(Unauthorized) as err:
        create(upstash)
    assert "UPSTASH_API_KEY" in str(err.value) and "wrong-upstash-key" not in str(err.value)
