"""Free quotas per account across stacks (settings/account_quotas.py): every Pulumi.<stack>.yaml plus the live pr-<n>
stacks, refused in the preflight (previews included) naming every stack that takes part."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
import yaml

from settings.account_quotas import cross_stack_problems
from settings.load import load_settings
from settings.preflight import preflight
from settings.pr_stacks import derive

ACCOUNT = "0123456789abcdef0123456789abcdef"
UAT = {"stagecraft:frontend": {"platform": "cloudflare-pages"},
       "stagecraft:backend": {"platform": "koyeb", "image": "img:1", "koyeb": {"instanceType": "free"}},
       "stagecraft:postgres": {"platform": "neon"}, "stagecraft:redis": {"platform": "upstash"},
       "stagecraft:storage": {"platform": "r2"}, "stagecraft:cloudflare": {"accountId": ACCOUNT}}
PRODUCTION = {"stagecraft:frontend": {"platform": "vercel"},
              "stagecraft:backend": {"platform": "railway", "image": "img:1"},
              "stagecraft:postgres": {"platform": "neon"},
              "stagecraft:redis": {"platform": "upstash", "upstash": {"plan": "payg"}},
              "stagecraft:storage": {"platform": "r2"}, "stagecraft:cloudflare": {"accountId": ACCOUNT},
              "stagecraft:railway": {"plan": "hobby"}}


def _project(tmp_path: Path, **stacks: dict) -> Path:
    for name, config in stacks.items():
        (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def _settings(stack: str, config: dict, root: Path, **environ: str):
    raw = {key.removeprefix("stagecraft:"): value for key, value in config.items()}
    if stack.startswith("pr-"):
        raw = derive(stack, raw, root, environ)
    return load_settings("stagecraft", stack, raw)


def _problems(stack: str, config: dict, root: Path, live: list[str] | None = None) -> list[str]:
    return cross_stack_problems(_settings(stack, config, root), root, {}, lambda: list(live or []))


def test_production_on_uats_free_upstash_database_is_refused_naming_both(tmp_path):
    root = _project(tmp_path, uat=UAT)
    free = {**PRODUCTION, "stagecraft:redis": {"platform": "upstash", "upstash": {"plan": "free"}}}
    (problem,) = _problems("production", free, root)
    assert problem.startswith("stagecraft:accounts.upstash: the upstash account 'default' has 1 free database")
    assert "uat (the cache (Upstash, plan free))" in problem and "production (the cache" in problem


def test_production_pay_as_you_go_beside_uats_free_database_passes(tmp_path):
    assert _problems("production", PRODUCTION, _project(tmp_path, uat=UAT)) == []


def test_a_second_stack_with_a_free_koyeb_service_in_the_same_organization_is_refused_naming_both(tmp_path):
    root = _project(tmp_path, uat=UAT)
    qa = {**UAT, "stagecraft:environment": "uat", "stagecraft:redis": {"platform": "memory"},
          "stagecraft:postgres": {"platform": "supabase"}, "stagecraft:supabase": {"organizationSlug": "acme"},
          "stagecraft:storage": {"platform": "r2"}}
    problems = _problems("qa", qa, root)
    (koyeb,) = [p for p in problems if p.startswith("stagecraft:accounts.koyeb")]
    assert "qa (the backend (Koyeb, instance type free))" in koyeb and "uat (the backend" in koyeb
    assert "koyeb.free-instances" in koyeb and "Nothing was changed" in koyeb


def test_another_account_label_gives_a_stack_its_own_free_quota(tmp_path):
    root = _project(tmp_path, uat=UAT)
    free = {**PRODUCTION, "stagecraft:redis": {"platform": "upstash", "upstash": {"plan": "free"}},
            "stagecraft:accounts": {"upstash": "production-account"}}
    assert _problems("production", free, root) == []


def test_a_pr_sharing_the_base_backend_takes_nothing(tmp_path):
    root = _project(tmp_path, uat=UAT)
    assert _problems("pr-7", {}, root) == []


def test_a_pr_with_its_own_backend_on_the_bases_free_koyeb_organization_is_refused_naming_both(tmp_path):
    root = _project(tmp_path, uat={**UAT, "stagecraft:prStacks": {"backend": "own"}})
    (problem,) = _problems("pr-7", {}, root)
    assert problem.startswith("stagecraft:accounts.koyeb") and "uat (" in problem and "pr-7 (" in problem


def test_live_pr_stacks_with_their_own_backend_are_counted_from_the_backend(tmp_path):
    uat = {**UAT, "stagecraft:prStacks": {"backend": "own"},
           "stagecraft:backend": {"platform": "koyeb", "image": "img:1", "koyeb": {"instanceType": "nano"}}}
    root = _project(tmp_path, uat=uat)
    # nano instances are paid, so only Neon branches count: main + uat + pr-1..pr-8 fill the project's ten.
    live = ["uat", *(f"pr-{n}" for n in range(1, 9))]
    problems = _problems("pr-9", {}, root, live)
    (neon,) = [p for p in problems if "neon.branches-per-project" in p]
    assert "pr-1 (" in neon and "pr-9 (" in neon and "would use 11" in neon


def test_live_stacks_are_not_listed_when_no_stack_gives_prs_their_own_backend(tmp_path):
    root = _project(tmp_path, uat=UAT)

    def fail():
        raise AssertionError("pulumi stack ls should not run")

    assert cross_stack_problems(_settings("uat", UAT, root), root, {}, fail) == []


def test_the_preflight_refuses_it_before_anything_changes(tmp_path):
    root = _project(tmp_path, uat=UAT)
    free = {**PRODUCTION, "stagecraft:redis": {"platform": "upstash", "upstash": {"plan": "free"}}}
    environ = {"VERCEL_API_TOKEN": "v", "RAILWAY_API_TOKEN": "r", "NEON_API_KEY": "n", "UPSTASH_EMAIL": "e",
               "UPSTASH_API_KEY": "u", "CLOUDFLARE_API_TOKEN": "c"}
    with pytest.raises(pulumi.RunError, match="stagecraft:accounts.upstash"):
        preflight(_settings("production", free, root), environ=environ, dry_run=True, project_root=root)


def test_a_committed_config_without_its_account_values_still_counts_its_free_instance(tmp_path):
    committed_uat = {key: value for key, value in UAT.items() if key != "stagecraft:cloudflare"}
    committed_uat["stagecraft:backend"] = {"platform": "koyeb", "koyeb": {"instanceType": "free"}}  # no image yet
    root = _project(tmp_path, uat=committed_uat)
    qa = {**UAT, "stagecraft:environment": "uat", "stagecraft:redis": {"platform": "memory"}}
    assert any(p.startswith("stagecraft:accounts.koyeb") and "uat (" in p for p in _problems("qa", qa, root))
