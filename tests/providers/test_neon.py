"""Neon providers: input checks and diffs (no network), then CRUD against the Neon emulator."""

from __future__ import annotations

import pytest

from providers._http import UNKNOWN
from providers.neon.branch import BranchProvider
from providers.neon.database import DatabaseProvider
from providers.neon.endpoint import EndpointProvider
from providers.neon.role import RoleProvider

BRANCH = {"project_id": "proj-1", "name": "uat", "parent_id": None}
ENDPOINT = {"project_id": "proj-1", "branch_id": "br-1", "type": "read_write", "autoscaling_limit_min_cu": 0.25,
            "autoscaling_limit_max_cu": 1.0, "suspend_timeout_seconds": 300}
ROLE = {"project_id": "proj-1", "branch_id": "br-1", "name": "app"}
DATABASE = {"project_id": "proj-1", "branch_id": "br-1", "name": "app", "owner_name": "app"}


def failures(result) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


# --- check -----------------------------------------------------------------------------------------------

def test_valid_inputs_pass_check():
    assert BranchProvider().check({}, BRANCH).failures == []
    assert EndpointProvider().check({}, ENDPOINT).failures == []
    assert RoleProvider().check({}, ROLE).failures == []
    assert DatabaseProvider().check({}, DATABASE).failures == []


def test_project_id_outside_neon_id_pattern_fails_check():
    reasons = failures(BranchProvider().check({}, {**BRANCH, "project_id": "Proj_1"}))
    assert "a-z, 0-9 and -" in reasons["project_id"]


def test_read_only_endpoint_fails_check_with_the_allowed_type():
    assert "read_write" in failures(EndpointProvider().check({}, {**ENDPOINT, "type": "read_only"}))["type"]


def test_compute_units_below_a_quarter_fail_check():
    assert "autoscaling_limit_min_cu" in failures(EndpointProvider().check({}, {**ENDPOINT, "autoscaling_limit_min_cu": 0.1}))


def test_max_cu_below_min_cu_fails_check():
    news = {**ENDPOINT, "autoscaling_limit_min_cu": 2, "autoscaling_limit_max_cu": 1}
    assert "autoscaling_limit_max_cu" in failures(EndpointProvider().check({}, news))


def test_suspend_timeout_under_a_minute_fails_check():
    assert "suspend_timeout_seconds" in failures(EndpointProvider().check({}, {**ENDPOINT, "suspend_timeout_seconds": 30}))


def test_role_name_longer_than_63_bytes_fails_check():
    assert "63 bytes" in failures(RoleProvider().check({}, {**ROLE, "name": "r" * 64}))["name"]


def test_database_without_owner_fails_check():
    assert "owner_name" in failures(DatabaseProvider().check({}, {**DATABASE, "owner_name": None}))


def test_unknown_branch_id_passes_check_at_preview():
    assert RoleProvider().check({}, {**ROLE, "branch_id": UNKNOWN}).failures == []


# --- diff ------------------------------------------------------------------------------------------------

def test_branch_rename_is_in_place_but_new_parent_replaces():
    assert BranchProvider().diff("br", BRANCH, {**BRANCH, "name": "uat2"}).replaces == []
    result = BranchProvider().diff("br", BRANCH, {**BRANCH, "parent_id": "br-2"})
    assert result.replaces == ["parent_id"] and result.delete_before_replace is True


def test_endpoint_compute_change_is_in_place():
    result = EndpointProvider().diff("ep", {**ENDPOINT, "host": "h"}, {**ENDPOINT, "autoscaling_limit_max_cu": 2})
    assert result.changes is True and result.replaces == []


def test_endpoint_on_another_branch_replaces():
    assert EndpointProvider().diff("ep", ENDPOINT, {**ENDPOINT, "branch_id": "br-2"}).replaces == ["branch_id"]


def test_role_rename_replaces():
    assert RoleProvider().diff("r", {**ROLE, "password": "p"}, {**ROLE, "name": "app2"}).replaces == ["name"]


def test_database_owner_change_is_in_place_but_rename_replaces():
    assert DatabaseProvider().diff("d", DATABASE, {**DATABASE, "owner_name": "other"}).replaces == []
    assert DatabaseProvider().diff("d", DATABASE, {**DATABASE, "name": "app2"}).replaces == ["name"]
