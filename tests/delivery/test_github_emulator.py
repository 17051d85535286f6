"""The GitHub emulator's rules, over raw HTTP (each rule and its source: tests/emulators/github.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.emulators import ConformanceRegistry, GitHubEmulator

REPO = "acme/shop"


@pytest.fixture(scope="module")
def github():
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    emu.add_repository(REPO)
    with emu.serve() as base_url:
        yield emu, base_url


@pytest.fixture
def api(github):
    emu, base_url = github
    with httpx.Client(base_url=base_url, headers={"Authorization": "Bearer job-token"}) as client:
        yield client


def test_comment_is_created_with_201_and_listed(github, api):
    github[0].add_pull(REPO, 1)
    created = api.post(f"/repos/{REPO}/issues/1/comments", json={"body": "hello"})
    assert created.status_code == 201 and created.json()["user"]["login"] == "github-actions[bot]"
    assert [c["body"] for c in api.get(f"/repos/{REPO}/issues/1/comments").json()] == ["hello"]


def test_comment_update_changes_the_body_in_place(github, api):
    github[0].add_pull(REPO, 2)
    comment = api.post(f"/repos/{REPO}/issues/2/comments", json={"body": "v1"}).json()
    updated = api.patch(f"/repos/{REPO}/issues/comments/{comment['id']}", json={"body": "v2"})
    assert updated.status_code == 200 and updated.json()["id"] == comment["id"]
    assert [c["body"] for c in api.get(f"/repos/{REPO}/issues/2/comments").json()] == ["v2"]


def test_long_comment_list_is_paged_with_a_link_header(github, api):
    github[0].add_pull(REPO, 3)
    for index in range(5):
        api.post(f"/repos/{REPO}/issues/3/comments", json={"body": f"c{index}"})
    first = api.get(f"/repos/{REPO}/issues/3/comments", params={"per_page": 2})
    assert [c["body"] for c in first.json()] == ["c0", "c1"]
    assert 'rel="next"' in first.headers["link"] and "page=3" in first.headers["link"]
    last = api.get(first.links["last"]["url"])
    assert [c["body"] for c in last.json()] == ["c4"] and "next" not in last.links


def test_list_that_fits_one_page_has_no_link_header(github, api):
    github[0].add_pull(REPO, 4)
    assert "link" not in api.get(f"/repos/{REPO}/issues/4/comments").headers


def test_comment_on_an_unknown_pull_request_is_404(api):
    assert api.post(f"/repos/{REPO}/issues/999/comments", json={"body": "x"}).status_code == 404


def test_comment_over_65536_characters_is_refused_422(github, api):
    github[0].add_pull(REPO, 5)
    refused = api.post(f"/repos/{REPO}/issues/5/comments", json={"body": "x" * 65537})
    assert refused.status_code == 422 and "too long" in refused.text


def test_pulls_list_filters_by_state(github, api):
    github[0].add_pull(REPO, 10, state="open")
    github[0].add_pull(REPO, 11, state="closed")
    numbers = {state: {p["number"] for p in api.get(f"/repos/{REPO}/pulls", params={"state": state,
                                                                                    "per_page": 100}).json()}
               for state in ("open", "closed", "all")}
    assert 10 in numbers["open"] and 11 not in numbers["open"]
    assert 11 in numbers["closed"] and 10 not in numbers["closed"]
    assert {10, 11} <= numbers["all"]


def test_unknown_repository_is_404(api):
    assert api.get("/repos/acme/other/pulls").status_code == 404


def test_every_answer_carries_the_rate_limit_headers(api):
    answer = api.get(f"/repos/{REPO}/pulls")
    for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset",
                   "x-ratelimit-resource"):
        assert header in answer.headers


def test_primary_limit_exhausted_is_403_with_remaining_zero():
    emu = GitHubEmulator(primary_limit=2, conformance=ConformanceRegistry())
    emu.add_repository(REPO)
    with emu.serve() as base_url, httpx.Client(base_url=base_url, headers={"Authorization": "Bearer t"}) as client:
        statuses = [client.get(f"/repos/{REPO}/pulls").status_code for _ in range(3)]
        refused = client.get(f"/repos/{REPO}/pulls")
        assert client.get("/rate_limit").status_code == 200
    assert statuses == [200, 200, 403]
    assert refused.headers["x-ratelimit-remaining"] == "0" and "rate limit exceeded" in refused.json()["message"]


def test_secondary_limit_answers_retry_after(github, api):
    github[0].trip_secondary_limit(status=429, retry_after=7)
    refused = api.get(f"/repos/{REPO}/pulls")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "7"
    assert "secondary rate limit" in refused.json()["message"]
    assert api.get(f"/repos/{REPO}/pulls").status_code == 200


def test_content_creation_past_80_a_minute_meets_the_secondary_limit(github, api):
    github[0].add_pull(REPO, 6)
    statuses = [api.post(f"/repos/{REPO}/issues/6/comments", json={"body": "x"}).status_code for _ in range(90)]
    assert 403 in statuses and statuses.index(403) <= 80


def test_unknown_token_is_401_once_users_have_tokens():
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    emu.add_repository(REPO)
    emu.add_user("reviewer", "known")
    with emu.serve() as base_url:
        assert httpx.get(f"{base_url}/repos/{REPO}/pulls", headers={"Authorization": "Bearer other"}).status_code == 401


def test_environment_is_created_with_its_reviewers_and_read_back():
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    emu.add_repository(REPO)
    reviewer = emu.add_user("reviewer", "reviewer-token")
    with emu.serve() as base_url, httpx.Client(base_url=base_url,
                                               headers={"Authorization": "Bearer reviewer-token"}) as client:
        client.put(f"/repos/{REPO}/environments/production",
                   json={"reviewers": [{"type": "User", "id": reviewer}], "prevent_self_review": True})
        assert client.get(f"/repos/{REPO}/environments/staging").status_code == 404
        listed = client.get(f"/repos/{REPO}/environments").json()
        rules = client.get(f"/repos/{REPO}/environments/production").json()["protection_rules"]
    assert listed["total_count"] == 1
    assert rules[0]["type"] == "required_reviewers" and rules[0]["reviewers"][0]["reviewer"]["login"] == "reviewer"


def _reviewer_and_actor(emu, actor="merger"):
    reviewer = emu.add_user("reviewer", "reviewer-token")
    emu.add_user(actor, f"{actor}-token")
    emu.add_repository(REPO)
    return reviewer


def test_run_waits_on_the_gated_environment_until_a_reviewer_approves():
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    reviewer = _reviewer_and_actor(emu)
    with emu.serve() as base_url, httpx.Client(base_url=base_url,
                                               headers={"Authorization": "Bearer reviewer-token"}) as client:
        env_id = client.put(f"/repos/{REPO}/environments/production",
                            json={"reviewers": [{"type": "User", "id": reviewer}]}).json()["id"]
        emu.start_run(REPO, 1, actor="merger")
        waiting = client.get(f"/repos/{REPO}/actions/runs/1/pending_deployments").json()
        assert [w["environment"]["name"] for w in waiting] == ["production"] and waiting[0]["current_user_can_approve"]
        assert client.get(f"/repos/{REPO}/actions/runs/1/approvals").json() == []
        done = client.post(f"/repos/{REPO}/actions/runs/1/pending_deployments",
                           json={"environment_ids": [env_id], "state": "approved", "comment": "ok"})
        assert done.status_code == 200 and done.json()[0]["environment"] == "production"
        history = client.get(f"/repos/{REPO}/actions/runs/1/approvals").json()
        assert client.get(f"/repos/{REPO}/actions/runs/1/pending_deployments").json() == []
    assert [(h["state"], h["user"]["login"], h["environments"][0]["name"]) for h in history] == \
        [("approved", "reviewer", "production")]


def test_only_a_required_reviewer_can_review():
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    reviewer = _reviewer_and_actor(emu)
    with emu.serve() as base_url:
        env_id = httpx.put(f"{base_url}/repos/{REPO}/environments/production",
                           headers={"Authorization": "Bearer reviewer-token"},
                           json={"reviewers": [{"type": "User", "id": reviewer}]}).json()["id"]
        emu.start_run(REPO, 2, actor="merger")
        refused = httpx.post(f"{base_url}/repos/{REPO}/actions/runs/2/pending_deployments",
                             headers={"Authorization": "Bearer merger-token"},
                             json={"environment_ids": [env_id], "state": "approved", "comment": "me"})
    assert refused.status_code == 422 and "not a required reviewer" in refused.text


def test_prevent_self_review_refuses_the_actor():
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    reviewer = _reviewer_and_actor(emu, actor="reviewer")
    with emu.serve() as base_url:
        env_id = httpx.put(f"{base_url}/repos/{REPO}/environments/production",
                           headers={"Authorization": "Bearer reviewer-token"},
                           json={"reviewers": [{"type": "User", "id": reviewer}], "prevent_self_review": True}
                           ).json()["id"]
        emu.start_run(REPO, 3, actor="reviewer")
        refused = httpx.post(f"{base_url}/repos/{REPO}/actions/runs/3/pending_deployments",
                             headers={"Authorization": "Bearer reviewer-token"},
                             json={"environment_ids": [env_id], "state": "approved", "comment": "me"})
    assert refused.status_code == 422 and "prevents self-review" in refused.text


def test_review_without_comment_violates_the_spec(github):
    emu, base_url = github
    emu.fail_on_violation = False
    answer = httpx.post(f"{base_url}/repos/{REPO}/actions/runs/1/pending_deployments",
                        headers={"Authorization": "Bearer t"}, json={"environment_ids": [1], "state": "approved"})
    emu.fail_on_violation = True
    assert answer.status_code == 400 and "comment" in answer.text
    emu.violations.clear()


def test_answers_match_the_spec(github):
    assert github[0].response_mismatches == []
