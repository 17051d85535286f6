"""EasEmulator over HTTP with raw GraphQL calls (the operations eas-cli sends): one test per platform rule."""

from __future__ import annotations

import json

import pytest

from tests.emulators import EasEmulator
from tests.emulators.support import loopback_client

CREATE_BRANCH = ("mutation($appId: ID!, $name: String!) { updateBranch { createUpdateBranchForApp(appId: $appId, "
                 "name: $name) { id name } } }")
CREATE_CHANNEL = ("mutation($appId: ID!, $name: String!, $branchMapping: String!) { updateChannel { "
                  "createUpdateChannelForApp(appId: $appId, name: $name, branchMapping: $branchMapping) "
                  "{ id name branchMapping } } }")
CHANNEL = ("query($appId: String!, $channelName: String!) { app { byId(appId: $appId) { id updateChannelByName("
           "name: $channelName) { id name branchMapping updateBranches(offset: 0, limit: 5) { id name } } } } }")
BRANCH = ("query($appId: String!, $name: String!) { app { byId(appId: $appId) { id updateBranchByName(name: $name) "
          "{ id name } } } }")
DELETE_CHANNEL = ("mutation($channelId: ID!) { updateChannel { scheduleUpdateChannelDeletion(channelId: $channelId) "
                  "{ id state } } }")
DELETE_BRANCH = ("mutation($branchId: ID!) { updateBranch { scheduleUpdateBranchDeletion(branchId: $branchId) "
                 "{ id state } } }")
RECEIPT = ("query($id: ID!) { backgroundJobReceipt { byId(id: $id) { id state errorMessage willRetry resultId } } }")


@pytest.fixture
def eas():
    emu = EasEmulator()
    app_id = emu.add_app("weedgo-mobile")
    with emu.serve() as base_url, loopback_client(base_url, headers={"Authorization": "Bearer e"}) as client:
        yield emu, client, app_id
    assert emu.response_mismatches == [] and emu.violations == []


def call(client, query, **variables):
    return client.post("/graphql", json={"query": query, "variables": variables}).json()


def data(client, query, **variables):
    body = call(client, query, **variables)
    assert "errors" not in body, body
    return body["data"]


def mapping(branch_id):
    return json.dumps({"version": 0, "data": [{"branchId": branch_id, "branchMappingLogic": "true"}]})


def branch(client, app_id, name="preprod"):
    return data(client, CREATE_BRANCH, appId=app_id, name=name)["updateBranch"]["createUpdateBranchForApp"]["id"]


def channel(client, app_id, branch_id, name="preprod"):
    created = data(client, CREATE_CHANNEL, appId=app_id, name=name, branchMapping=mapping(branch_id))
    return created["updateChannel"]["createUpdateChannelForApp"]["id"]


def test_without_a_token_the_answer_is_unauthorized_error(eas):
    _, client, app_id = eas
    body = client.post("/graphql", json={"query": BRANCH, "variables": {"appId": app_id, "name": "x"}},
                       headers={"Authorization": ""}).json()
    assert body["errors"][0]["extensions"]["errorCode"] == "UNAUTHORIZED_ERROR"


def test_a_missing_channel_reads_as_null(eas):
    _, client, app_id = eas
    assert data(client, CHANNEL, appId=app_id, channelName="preprod")["app"]["byId"]["updateChannelByName"] is None


def test_a_channel_maps_to_its_branch(eas):
    _, client, app_id = eas
    branch_id = branch(client, app_id)
    channel(client, app_id, branch_id)
    read = data(client, CHANNEL, appId=app_id, channelName="preprod")["app"]["byId"]["updateChannelByName"]
    assert ([b["id"] for b in read["updateBranches"]], json.loads(read["branchMapping"])["version"]) == ([branch_id], 0)


def test_a_second_channel_with_the_name_is_channel_already_exists(eas):
    _, client, app_id = eas
    branch_id = branch(client, app_id)
    channel(client, app_id, branch_id)
    body = call(client, CREATE_CHANNEL, appId=app_id, name="preprod", branchMapping=mapping(branch_id))
    assert body["errors"][0]["extensions"] == {"errorType": "USER", "isTransient": False,
                                               "errorCode": "CHANNEL_ALREADY_EXISTS"}


def test_a_second_branch_with_the_name_is_a_user_error(eas):
    _, client, app_id = eas
    branch(client, app_id)
    body = call(client, CREATE_BRANCH, appId=app_id, name="preprod")
    assert body["errors"][0]["extensions"]["errorType"] == "USER"


def test_a_mapping_to_a_branch_of_no_such_app_is_refused(eas):
    _, client, app_id = eas
    body = call(client, CREATE_CHANNEL, appId=app_id, name="preprod", branchMapping=mapping("nope"))
    assert "not a branch of this app" in body["errors"][0]["message"]


def test_an_unknown_app_is_experience_not_found(eas):
    _, client, _ = eas
    body = call(client, BRANCH, appId="00000000-0000-4000-8000-000000000000", name="x")
    assert body["errors"][0]["extensions"]["errorCode"] == "EXPERIENCE_NOT_FOUND"


def test_channel_deletion_is_scheduled_and_done_when_its_receipt_succeeds():
    emu = EasEmulator()
    app_id = emu.add_app("m")
    emu.set_readiness_delay(2)
    with emu.serve() as base_url, loopback_client(base_url, headers={"Authorization": "Bearer e"}) as client:
        channel_id = channel(client, app_id, branch(client, app_id))
        receipt = data(client, DELETE_CHANNEL, channelId=channel_id)["updateChannel"]["scheduleUpdateChannelDeletion"]
        still_there = len(emu.objects("channels"))
        states = [data(client, RECEIPT, id=receipt["id"])["backgroundJobReceipt"]["byId"]["state"] for _ in range(3)]
    assert (receipt["state"], still_there, states, emu.objects("channels")) == (
        "QUEUED", 1, ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"], [])


def test_a_branch_a_channel_maps_to_is_not_deleted(eas):
    emu, client, app_id = eas
    branch_id = branch(client, app_id)
    channel(client, app_id, branch_id)
    receipt = data(client, DELETE_BRANCH, branchId=branch_id)["updateBranch"]["scheduleUpdateBranchDeletion"]
    final = data(client, RECEIPT, id=receipt["id"])["backgroundJobReceipt"]["byId"]
    assert (final["state"], final["willRetry"], len(emu.objects("branches"))) == ("FAILURE", False, 1)


def test_transient_errors_do_nothing_and_say_so(eas):
    emu, client, app_id = eas
    emu.fail_next("mutation/updateBranch")
    body = call(client, CREATE_BRANCH, appId=app_id, name="preprod")
    assert (body["errors"][0]["extensions"]["isTransient"], emu.objects("branches")) == (True, [])


def test_a_mapping_can_be_edited(eas):
    _, client, app_id = eas
    first = branch(client, app_id, "a")
    second = branch(client, app_id, "b")
    channel_id = channel(client, app_id, first)
    edited = data(client, "mutation($c: ID!, $m: String!) { updateChannel { editUpdateChannel(channelId: $c, "
                          "branchMapping: $m) { branchMapping } } }", c=channel_id, m=mapping(second))
    assert second in edited["updateChannel"]["editUpdateChannel"]["branchMapping"]


def test_a_deleted_app_is_experience_not_found_and_its_branches_and_channels_are_gone(eas):
    emu, client, app_id = eas
    channel(client, app_id, branch(client, app_id))
    emu.delete_app(app_id)
    body = call(client, BRANCH, appId=app_id, name="preprod")
    assert ([e["extensions"]["errorCode"] for e in body["errors"]], emu.objects("branches"),
            emu.objects("channels")) == (["EXPERIENCE_NOT_FOUND"], [], [])
