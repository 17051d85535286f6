"""pr-<n> stacks on the real engine against the emulated uat accounts (Pages, Koyeb, Neon, Upstash).

uat is deployed first (programs/uat_dynamic.py: uat's own resources, wired as in uat). A `pr-7` stack of the real
program, in a copy of the project whose `Pulumi.uat.yaml` is uat's config, shares uat's state backend:

- by default it builds the PR's frontends against uat's backend and deploys them as previews (branch `pr-7`) onto
  uat's own Pages projects, served at `pr-7.<project>.pages.dev`; no new project, service or database;
- with `prStacks.backend: own` it also makes a Neon branch forked from uat's branch and a backend of its own (in the
  previews' Koyeb organization: uat's holds its one free instance);
- destroying it leaves uat exactly as it was, still serving uat's build.

Both go up under the policy pack, as the pr-stacks workflow runs them.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml

from settings.inventory import DEFAULT_FRONTENDS
from tests.emulators import KoyebEmulator
from tests.engine.cli import PROJECT_ROOT, ProjectCopy
from tests.engine.emulated_uat import ACCOUNT_ID, EmulatedAccounts, uat_dynamic_stack
from tests.engine.test_uat_delivery import _meta, _page

pytestmark = pytest.mark.engine

APPS = 2
PASSPHRASE = "engine-test-passphrase"
UAT_API = "https://stagecraft-uat-api-stagecraft.koyeb.app"
UAT_CONFIG = {  # uat's own Pulumi.uat.yaml, as a team's holds it (account values set), less the apps not delivered here
    "stagecraft:frontend": {"platform": "cloudflare-pages", "productionBranch": "develop",
                            "exclude": [app.name for app in DEFAULT_FRONTENDS[APPS:]]},
    "stagecraft:backend": {"platform": "koyeb", "image": "ghcr.io/weedgo/backend:1.0.0",
                           "koyeb": {"instanceType": "free", "regions": ["was"], "minScale": 0, "maxScale": 1}},
    "stagecraft:postgres": {"platform": "neon", "neon": {"minCu": 0.25, "maxCu": 0.25}},
    "stagecraft:redis": {"platform": "upstash", "upstash": {"primaryRegion": "us-east-1", "plan": "free"}},
    "stagecraft:storage": {"platform": "r2"},
    "stagecraft:cloudflare": {"accountId": ACCOUNT_ID},
}


def _uat(tmp_path: Path, accounts: EmulatedAccounts) -> ProjectCopy:
    accounts.env["PULUMI_BACKEND_URL"] = f"file://{tmp_path / 'state'}"  # shared by uat and the PR stack
    (tmp_path / "state").mkdir()
    uat = uat_dynamic_stack(tmp_path / "uat", accounts, apps=APPS)
    uat.up().check()
    return uat


def _pr_stack(tmp_path: Path, accounts: EmulatedAccounts, uat_config: dict, pr_config: dict,
              extra_env: dict | None = None) -> ProjectCopy:
    root = tmp_path / "pr"
    root.mkdir()
    (root / "Pulumi.uat.yaml").write_text(yaml.safe_dump({"config": uat_config}))
    (root / ".venv").symlink_to(PROJECT_ROOT / ".venv")  # the policy pack runs in the project's venv
    return ProjectCopy(root, "pr-7", pr_config, extra_env={**accounts.env, **(extra_env or {})},
                       passphrase=PASSPHRASE)


def _up_under_the_pack(pr: ProjectCopy) -> None:
    """What .github/workflows/pr-stacks.yml runs: `pulumi up --policy-pack policies`."""
    pr.stack_command("up", "--yes", "--policy-pack", "policies").check()


def _pr_deployments(accounts: EmulatedAccounts) -> list[dict]:
    return [d for d in accounts.cloudflare.objects("deployments")
            if d["deployment_trigger"]["metadata"]["branch"] == "pr-7"]


def test_a_pr_stack_previews_on_uats_projects_against_uats_backend_and_goes_without_a_trace(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        uat = _uat(tmp_path, accounts)
        uat_outputs, before = uat.outputs(), accounts.snapshot()
        uat_pages = {app: _page(accounts, uat_outputs["apps"][app]["url"]) for app in uat_outputs["apps"]}

        pr = _pr_stack(tmp_path, accounts, UAT_CONFIG, {})
        pr.preview().check()
        _up_under_the_pack(pr)
        outputs = pr.outputs()
        after = accounts.snapshot()
        assert after["cloudflare.projects"] == before["cloudflare.projects"]  # no new project
        for key in ("koyeb.apps", "koyeb.services", "neon.branches", "neon.databases", "upstash.databases"):
            assert after[key] == before[key], key  # no service, branch or database
        assert sorted(d["project_name"] for d in _pr_deployments(accounts)) == sorted(
            uat_outputs["apps"][app]["projectId"] for app in uat_outputs["apps"])
        for name, app in outputs["apps"].items():
            assert app["url"] == f"https://pr-7.{uat_outputs['apps'][name]['projectId']}.pages.dev"
            page = _page(accounts, app["url"])
            assert (_meta(page, "api-url"), _meta(page, "environment")) == (UAT_API, "preview")
        assert outputs["pr"] == {"number": 7, "base": "uat", "backend": "shared", "alias": "pr-7"}

        pr.destroy().check()
        assert accounts.snapshot() == before and _pr_deployments(accounts) == []
        assert {app: _page(accounts, uat_outputs["apps"][app]["url"]) for app in uat_outputs["apps"]} == uat_pages
        uat.up("--expect-no-changes").check()  # uat's own state and accounts agree: nothing to do


def test_an_own_backend_pr_forks_uats_neon_branch_and_runs_its_own_backend(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        previews = KoyebEmulator()  # the previews' Koyeb organization (uat's holds the one free instance)
        preview_env = {"KOYEB_API_URL": stack.enter_context(previews.serve()), "KOYEB_TOKEN": "koyeb-previews-token"}
        uat = _uat(tmp_path, accounts)
        before = accounts.snapshot()
        (uat_branch,) = [b for b in accounts.neon.objects("branches") if b["name"] == "uat"]

        pr = _pr_stack(tmp_path, accounts, {**UAT_CONFIG, "stagecraft:prStacks": {"backend": "own"}},
                       {"stagecraft:accounts": {"koyeb": "previews"}}, preview_env)
        _up_under_the_pack(pr)
        (branch,) = [b for b in accounts.neon.objects("branches") if b["name"] == "pr-7"]
        assert branch["parent_id"] == uat_branch["id"]  # a copy of uat's data, never production's
        (service,) = previews.objects("services")
        assert service["name"] == "stagecraft-pr-7-api" and accounts.koyeb.objects("services")[0]["name"] == \
            "stagecraft-uat-api"
        outputs = pr.outputs()
        assert outputs["database"]["branchId"] == branch["id"]
        for app in outputs["apps"].values():
            assert _meta(_page(accounts, app["url"]), "api-url") == outputs["api"]["url"] != UAT_API

        pr.destroy().check()
        assert accounts.snapshot() == before and previews.objects("services") == []
        uat.up("--expect-no-changes").check()


def test_a_pr_whose_base_was_never_deployed_is_refused_naming_the_key_before_anything_changes(tmp_path):
    with ExitStack() as stack:
        accounts = EmulatedAccounts(stack)
        accounts.env["PULUMI_BACKEND_URL"] = f"file://{tmp_path / 'state'}"
        (tmp_path / "state").mkdir()
        pr = _pr_stack(tmp_path, accounts, UAT_CONFIG, {})
        result = pr.up()
        assert result.returncode != 0
        assert "stagecraft:prStacks.base: stack 'uat' cannot be read" in result.output
        assert accounts.writes() == 0
        # The state holds only the engine's own entries: the stack and its builtin provider (which read uat).
        types = {r["type"] for r in json.loads(pr.export())["deployment"]["resources"]}
        assert types == {"pulumi:pulumi:Stack", "pulumi:providers:pulumi"}
