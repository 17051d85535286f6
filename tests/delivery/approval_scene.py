"""The GitHub side of a production deploy, emulated: the repository, its gated environment, a run and its review.

Run 4242 of ``acme/shop`` was started by ``merger``; its job names the ``production`` environment, whose required
reviewer is ``reviewer`` (with self-review prevented), and ``reviewer`` approved it through the API
(``POST .../runs/4242/pending_deployments``). Run 5151 was started by ``reviewer`` and approved by ``reviewer``
alone (an environment that allows self-review), the self-approval case.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Dict

import httpx

from tests.delivery.oidc_issuer import LocalIssuer
from tests.emulators import GitHubEmulator

REPOSITORY = "acme/shop"
RUN_ID = "4242"
SELF_APPROVED_RUN = "5151"
ACTOR, REVIEWER = "merger", "reviewer"
JOB_TOKEN = "ghs_job_token_of_the_run"
REVIEWER_TOKEN = "ghp_reviewer_token"


class ApprovalScene:
    """An issuer plus a served GitHub emulator holding the approved runs."""

    def __init__(self, issuer: LocalIssuer) -> None:
        self.issuer = issuer
        self.github = GitHubEmulator()
        self._stack = ExitStack()
        self.api_url = ""

    def __enter__(self) -> "ApprovalScene":
        gh = self.github
        reviewer_id = gh.add_user(REVIEWER, REVIEWER_TOKEN)
        gh.add_user(ACTOR, "ghp_actor_token")
        gh.add_user("github-actions[bot]", JOB_TOKEN)
        gh.add_repository(REPOSITORY)
        self.api_url = self._stack.enter_context(gh.serve())
        with httpx.Client(base_url=self.api_url, headers={"Authorization": f"Bearer {REVIEWER_TOKEN}"}) as api:
            answer = api.put(f"/repos/{REPOSITORY}/environments/production",
                             json={"prevent_self_review": True, "reviewers": [{"type": "User", "id": reviewer_id}],
                                   "deployment_branch_policy": {"protected_branches": True,
                                                                "custom_branch_policies": False}})
            answer.raise_for_status()
            env_id = answer.json()["id"]
            gh.start_run(REPOSITORY, int(RUN_ID), actor=ACTOR)
            api.post(f"/repos/{REPOSITORY}/actions/runs/{RUN_ID}/pending_deployments",
                     json={"environment_ids": [env_id], "state": "approved", "comment": "ship it"}).raise_for_status()
            api.put(f"/repos/{REPOSITORY}/environments/production",
                    json={"prevent_self_review": False}).raise_for_status()
            gh.start_run(REPOSITORY, int(SELF_APPROVED_RUN), actor=REVIEWER)
            api.post(f"/repos/{REPOSITORY}/actions/runs/{SELF_APPROVED_RUN}/pending_deployments",
                     json={"environment_ids": [env_id], "state": "approved", "comment": "mine"}).raise_for_status()
            api.put(f"/repos/{REPOSITORY}/environments/production",
                    json={"prevent_self_review": True}).raise_for_status()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def job_env(self, token: str, run_id: str = RUN_ID) -> Dict[str, str]:
        """The variables the production job hands to `pulumi up` (its token, run id and GITHUB_TOKEN)."""
        return {"STAGECRAFT_OIDC_TOKEN": token, "GITHUB_RUN_ID": run_id, "GITHUB_TOKEN": JOB_TOKEN}

    def policy_config(self) -> Dict[str, object]:
        """production-approval settings that point at the local issuer and the emulated API."""
        return {"repository": REPOSITORY, "issuer": self.issuer.url, "apiUrl": self.api_url}
