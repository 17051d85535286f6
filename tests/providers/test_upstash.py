"""Upstash provider: input checks and diffs (no network), then CRUD against the Upstash emulator."""

from __future__ import annotations

import pytest

from providers.upstash.redis_database import RedisDatabaseProvider, create_request, RedisDatabaseArgs

REDIS = {"database_name": "stagecraft-uat-cache", "platform": "aws", "primary_region": "eu-central-1",
         "read_regions": [], "plan": "free", "tls": True, "eviction": False}


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


def test_valid_inputs_pass_check():
    assert RedisDatabaseProvider().check({}, REDIS).failures == []


def test_unknown_plan_fails_check_listing_the_plans():
    reason = failures(RedisDatabaseProvider().check({}, {**REDIS, "plan": "hobby"}))["plan"]
    assert "free" in reason and "payg" in reason


def test_gcp_region_on_aws_fails_check():
    assert "not a aws region" in failures(RedisDatabaseProvider().check({}, {**REDIS, "primary_region": "us-east4"}))["primary_region"]


def test_read_region_equal_to_primary_fails_check():
    assert "read_regions" in failures(RedisDatabaseProvider().check({}, {**REDIS, "read_regions": ["eu-central-1"]}))


def test_missing_read_regions_defaults_to_none():
    result = RedisDatabaseProvider().check({}, {k: v for k, v in REDIS.items() if k != "read_regions"})
    assert result.failures == [] and result.inputs["read_regions"] == []


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
