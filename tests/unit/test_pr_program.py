"""pr-<n> stacks under mocks: derived from the base stack's config, previews on the base's projects (Pages, Netlify,
Vercel) pointed at the base's backend; with prStacks.backend own, a Koyeb backend and a Neon fork of the base's branch;
clear errors when the base is unknown or cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
import yaml

from settings.inventory import DEFAULT_FRONTENDS
from tests.unit.harness import FOUNDATION_OUTPUTS, PROJECT_ROOT, build_stack
from tests.unit.test_beta_program import BETA_OVERRIDES
from tests.unit.test_preprod_program import PREPROD_OVERRIDES
from tests.unit.test_uat_program import UAT_OVERRIDES

APPS = [app.name for app in DEFAULT_FRONTENDS]
PAGES = "pulumi-python:dynamic/cloudflare:PagesDeployment"
UAT_API = "https://stagecraft-uat-api-acme.koyeb.app"


def _base_outputs(stack: str, project_ids: dict[str, str], platform: str) -> dict:
    """What a deployed base stack exports (docs/outputs.md), as StackReference reads it."""
    return {"schemaVersion": 1, "environment": stack, "stack": stack,
            "api": {"url": UAT_API, "healthUrl": f"{UAT_API}/api/health", "platform": platform},
            "apps": {app: {"url": f"https://{pid}.example", "projectId": pid} for app, pid in project_ids.items()},
            "database": {"branchId": "br-uat-123", "neonProjectId": FOUNDATION_OUTPUTS["neon"]["projectId"],
                         "platform": "neon"},
            "redis": {"url": "rediss://default:uat-redis-password@uat-cache.upstash.io:6379"},
            "storage": {"bucket": "stagecraft-uat-uploads", "endpoint": "https://acct.r2.cloudflarestorage.com",
                        "accessKeyId": "uat-key-id", "secretAccessKey": "uat-secret-key", "platform": "r2"}}


STACKS = {
    "foundation": FOUNDATION_OUTPUTS,
    "uat": _base_outputs("uat", {app: f"stagecraft-uat-{app}" for app in APPS}, "koyeb"),
    "beta": _base_outputs("beta", {app: f"site-id-{app}" for app in APPS}, "render"),
    "preprod": _base_outputs("preprod", {app: f"prj_stagecraft-preprod-{app}" for app in APPS}, "railway"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project whose uat, beta and preprod config files carry every account value (as a team's would)."""
    root = tmp_path_factory.mktemp("project")
    (root / "examples").symlink_to(PROJECT_ROOT / "examples")
    for stack, overrides in (("uat", UAT_OVERRIDES), ("beta", BETA_OVERRIDES), ("preprod", PREPROD_OVERRIDES)):
        document = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack}.yaml").read_text())
        document["config"].update(overrides)
        (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    return root


def _pr(project: Path, config: dict | None = None, stacks: dict | None = None, stack: str = "pr-7"):
    values = {key: json.dumps(value) if not isinstance(value, str) else value for key, value in (config or {}).items()}
    return build_stack(stack, values, project_root=project, stacks=STACKS if stacks is None else stacks)


@pytest.fixture(scope="module")
def shared(project):
    return _pr(project)


@pytest.fixture(scope="module")
def own(project):
    return _pr(project, {"stagecraft:prStacks": {"backend": "own"}})


def _custom(built) -> dict[str, int]:
    return {t: n for t, n in built.count_by_type().items() if not t.startswith("stagecraft:")}


def test_a_shared_backend_pr_makes_previews_and_nothing_else(shared):
    assert _custom(shared) == {"pulumi:pulumi:StackReference": 1, "pulumi-python:dynamic/build:StaticBuild": 12,
                               PAGES: 12}


def test_each_preview_deploys_to_the_base_stacks_own_project_under_the_pr_alias(shared):
    deployments = {d.inputs["project_name"]: d.inputs for d in shared.of_type(PAGES)}
    assert sorted(deployments) == sorted(f"stagecraft-uat-{app}" for app in APPS)
    assert {d["branch"] for d in deployments.values()} == {"pr-7"}


def test_previews_are_built_against_the_base_backend_as_preview(shared):
    for build in shared.of_type("pulumi-python:dynamic/build:StaticBuild"):
        assert (build.inputs["env"]["VITE_API_URL"], build.inputs["env"]["VITE_ENVIRONMENT"]) == (UAT_API, "preview")


def test_the_base_is_read_through_a_stack_reference(shared):
    (reference,) = shared.of_type("pulumi:pulumi:StackReference")
    assert reference.inputs["name"] == "uat"
    assert shared.outputs["pr"] == {"number": 7, "base": "uat", "backend": "shared", "alias": "pr-7"}
    assert shared.outputs["api"]["url"] == UAT_API and shared.outputs["database"] is None


def test_an_own_backend_pr_gets_a_koyeb_service_and_a_fork_of_the_bases_branch(own):
    custom = _custom(own)
    assert {t: custom.get(t) for t in ("pulumi-python:dynamic/koyeb:Service", "pulumi-python:dynamic/neon:Branch",
                                       "pulumi-python:dynamic/neon:Endpoint", "pulumi-python:dynamic/upstash:"
                                       "RedisDatabase", "pulumi-python:dynamic/postgres:Extensions")} == {
        "pulumi-python:dynamic/koyeb:Service": 1, "pulumi-python:dynamic/neon:Branch": 1,
        "pulumi-python:dynamic/neon:Endpoint": 1, "pulumi-python:dynamic/upstash:RedisDatabase": None,
        "pulumi-python:dynamic/postgres:Extensions": None}
    (branch,) = own.of_type("pulumi-python:dynamic/neon:Branch")
    assert (branch.inputs["parent_id"], branch.inputs.get("init_source"), branch.inputs["name"]) == (
        "br-uat-123", None, "pr-7")  # a copy of uat's data, never production's


def test_an_own_backend_shares_the_bases_cache_and_bucket_as_secrets(own):
    (service,) = own.of_type("pulumi-python:dynamic/koyeb:Service")
    assert service.inputs["env"]["STORAGE_BUCKET"] == "stagecraft-uat-uploads"
    secrets = {s.inputs["name"]: s for s in own.of_type("pulumi-python:dynamic/koyeb:Secret")}
    redis = secrets["stagecraft-pr-7-api-redis-url"]
    assert redis.inputs["value"].startswith("rediss://") and "value" in redis.secret_inputs
    assert "stagecraft-pr-7-api-jwt-secret" in secrets  # its own, generated: not the base's


def test_an_own_backend_pr_builds_against_its_own_backend(own):
    (build, *_) = own.of_type("pulumi-python:dynamic/build:StaticBuild")
    assert build.inputs["env"]["VITE_API_URL"] == "https://api-org.koyeb.app"


def test_a_netlify_base_gets_alias_deploys_on_its_sites_and_no_new_site(project):
    built = _pr(project, {"stagecraft:prStacks": {"base": "beta"}})
    assert not built.of_type("pulumi-python:dynamic/netlify:Site")
    deploys = built.of_type("pulumi-python:dynamic/netlify:Deploy")
    assert len(deploys) == 12 and {d.inputs["alias"] for d in deploys} == {"pr-7"}
    assert sorted(d.inputs["site_id"] for d in deploys) == sorted(f"site-id-{app}" for app in APPS)


def test_a_vercel_base_gets_preview_deployments_under_a_per_pr_alias_and_no_new_project(project, monkeypatch):
    monkeypatch.setenv("STAGECRAFT_PR_BASE_STACK", "preprod")  # what the pr-stacks workflow sets
    built = _pr(project)
    assert not built.of_type("vercel:index/project:Project")
    deployments = built.of_type("vercel:index/deployment:Deployment")
    assert {d.inputs["production"] for d in deployments} == {False}
    aliases = sorted(a.inputs["alias"] for a in built.of_type("vercel:index/alias:Alias"))
    assert aliases == sorted(f"stagecraft-pr-7-{app}.vercel.app" for app in APPS)


def _error(project, **kwargs) -> str:
    with pytest.raises(pulumi.RunError) as raised:
        _pr(project, **kwargs)
    return str(raised.value)


def test_an_unknown_base_is_refused_naming_the_key_and_the_stacks_there_are(project):
    text = _error(project, config={"stagecraft:prStacks": {"base": "uta"}})
    assert "stagecraft:prStacks.base" in text and "no stack 'uta'" in text and "beta, preprod, uat" in text


def test_production_is_never_a_base(project):
    assert "never shares production" in _error(project, config={"stagecraft:prStacks": {"base": "production"}})


def test_a_base_that_declares_itself_production_is_never_a_base(project):
    document = yaml.safe_load((project / "Pulumi.uat.yaml").read_text())
    document["config"]["stagecraft:environment"] = "production"
    (project / "Pulumi.prod-eu.yaml").write_text(yaml.safe_dump(document))
    try:
        text = _error(project, config={"stagecraft:prStacks": {"base": "prod-eu"}})
    finally:
        (project / "Pulumi.prod-eu.yaml").unlink()
    assert "stagecraft:prStacks.base: 'prod-eu' cannot be a PR's base" in text and "never shares production" in text


def test_a_base_that_cannot_be_read_is_named_before_anything_is_registered(project):
    text = _error(project, stacks={"foundation": FOUNDATION_OUTPUTS})
    assert "stagecraft:prStacks.base: stack 'uat' cannot be read" in text and "pulumi up -s uat" in text


def test_a_base_without_the_outputs_a_pr_needs_names_them(project):
    stacks = {**STACKS, "uat": {"api": {"url": UAT_API}}}
    assert "has no output api.healthUrl, api.platform, apps." in _error(project, stacks=stacks)


def test_an_own_backend_on_a_base_whose_database_is_not_on_neon_is_refused(project):
    text = _error(project, config={"stagecraft:prStacks": {"base": "beta", "backend": "own"}})
    assert "stagecraft:prStacks.backend" in text and "never gets a database of its own" in text
