"""Expo EAS providers against the EAS emulator: branch, channel mapped to it, scheduled deletion."""

from __future__ import annotations

from typing import Iterator

import pytest

from providers._http import ResourceFailed
from providers._http.converge import ForeignResource
from providers.eas.branch import UpdateBranchArgs, UpdateBranchProvider
from providers.eas.channel import UpdateChannelProvider
from providers.eas.client import EasClient, branch_mapping
from tests.emulators import EasEmulator, Fault

OWNER = "stagecraft/preprod"


@pytest.fixture
def eas(monkeypatch: pytest.MonkeyPatch, fast_http: None) -> Iterator[tuple[EasEmulator, str]]:
    """A fresh EAS emulator with one app; EXPO_API_URL / EXPO_TOKEN point at it."""
    emu = EasEmulator(token="expo-test-token")
    app_id = emu.add_app("weedgo-mobile")
    with emu.serve() as url:
        monkeypatch.setenv("EXPO_API_URL", url)
        monkeypatch.setenv("EXPO_TOKEN", "expo-test-token")
        yield emu, app_id
    assert emu.response_mismatches == []


def branch(app_id: str, name: str = "preprod"):
    return UpdateBranchProvider().create({"app_id": app_id, "name": name, "owner": OWNER})


def channel(app_id: str, branch_id: str, name: str = "preprod"):
    return UpdateChannelProvider().create({"app_id": app_id, "name": name, "branch_id": branch_id, "owner": OWNER})


def test_an_app_id_that_is_not_a_uuid_fails_check():
    failures = UpdateBranchArgs.check({"app_id": "weedgo", "name": "preprod", "owner": OWNER}).failures
    assert "UUID" in failures[0].reason


def test_channel_is_mapped_to_its_branch(eas):
    emu, app_id = eas
    made = branch(app_id)
    channel(app_id, made.id)
    assert emu.objects("channels")[0]["branchMapping"] == branch_mapping(made.id)


def test_a_foreign_channel_with_the_name_is_refused(eas):
    emu, app_id = eas
    made = branch(app_id)
    with EasClient.from_env() as client:
        client.create_channel(app_id, "preprod", branch_mapping(made.id))
    with pytest.raises(ForeignResource, match="eas channel:delete preprod"):
        channel(app_id, made.id)


def test_a_dropped_channel_create_is_adopted_not_duplicated(eas):
    emu, app_id = eas
    made = branch(app_id)
    emu.inject(Fault.drop_after_action(), path="mutation/updateChannel")
    channel(app_id, made.id)
    assert len(emu.objects("channels")) == 1


def test_transient_errors_are_retried(eas):
    emu, app_id = eas
    emu.fail_next("mutation/updateBranch", times=2)
    branch(app_id)
    assert len(emu.objects("branches")) == 1


def test_refresh_of_an_untouched_channel_shows_no_change(eas):
    _, app_id = eas
    made = channel(app_id, branch(app_id).id)
    assert UpdateChannelProvider().read(made.id, made.outs).outs == made.outs


def test_a_new_branch_remaps_the_channel_in_place(eas):
    emu, app_id = eas
    first = branch(app_id)
    made = channel(app_id, first.id)
    second = branch(app_id, "preprod-2")
    UpdateChannelProvider().update(made.id, made.outs, {**made.outs, "branch_id": second.id})
    assert emu.objects("channels")[0]["branchMapping"] == branch_mapping(second.id)


def test_deletion_waits_for_the_scheduled_job(eas):
    emu, app_id = eas
    emu.set_readiness_delay(2)
    made_branch = branch(app_id)
    made = channel(app_id, made_branch.id)
    UpdateChannelProvider().delete(made.id, made.outs)
    UpdateBranchProvider().delete(made_branch.id, made_branch.outs)
    assert (emu.objects("channels"), emu.objects("branches")) == ([], [])


def test_deleting_a_branch_still_mapped_fails_with_eas_reason(eas):
    _, app_id = eas
    made_branch = branch(app_id)
    channel(app_id, made_branch.id)
    with pytest.raises(ResourceFailed, match="used by channel"):
        UpdateBranchProvider().delete(made_branch.id, made_branch.outs)


def test_a_deleted_channel_reads_as_gone(eas):
    _, app_id = eas
    made = channel(app_id, branch(app_id).id)
    UpdateChannelProvider().delete(made.id, made.outs)
    assert UpdateChannelProvider().read(made.id, made.outs).id == ""


def test_branch_and_channel_of_a_deleted_app_read_as_gone_and_delete_as_done(eas):
    emu, app_id = eas
    made_branch = branch(app_id)
    made_channel = channel(app_id, made_branch.id)
    emu.delete_app(app_id)
    UpdateChannelProvider().delete(made_channel.id, made_channel.outs)
    UpdateBranchProvider().delete(made_branch.id, made_branch.outs)
    assert (UpdateChannelProvider().read(made_channel.id, made_channel.outs).id,
            UpdateBranchProvider().read(made_branch.id, made_branch.outs).id,
            emu.objects("receipts")) == ("", "", [])
