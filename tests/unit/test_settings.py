"""The settings model tree: defaults, and one message naming every bad value's full key with a fix that pastes."""

from __future__ import annotations

import re

import pytest

from settings import ConfigError, load_settings
from settings.load import environment_for
from settings.models import StackSettings
from settings.model_paths import is_section

DEV = {
    "frontend": {"platform": "local"},
    "backend": {"platform": "local"},
    "postgres": {"platform": "local"},
    "redis": {"platform": "memory"},
    "storage": {"platform": "local"},
}
ACCOUNT = "0123456789abcdef0123456789abcdef"
UAT = {"frontend": {"platform": "cloudflare-pages"}, "backend": {"platform": "koyeb", "image": "ghcr.io/acme/api:1"},
       "postgres": {"platform": "neon"}, "redis": {"platform": "upstash"}, "storage": {"platform": "r2"},
       "cloudflare": {"accountId": ACCOUNT}}


def _with(section: str, base: dict = DEV, **values) -> dict:
    return {**base, section: {**base.get(section, {}), **values}}


def _error(raw: dict, stack: str = "dev") -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings("stagecraft", stack, raw)
    return caught.value


def _problem(raw: dict, key: str, stack: str = "dev"):
    """The one problem reported at `key` (the full key), with the whole message for context."""
    error = _error(raw, stack)
    found = [p for p in error.problems if p.key == key]
    assert found, f"no problem at {key}:\n{error}"
    return found[0]


# --- defaults ---------------------------------------------------------------------------------------------


def test_dev_defaults_give_twelve_frontends_and_the_three_extensions():
    settings = load_settings("stagecraft", "dev", DEV)
    assert len(settings.frontend.deployed_apps) == 12
    assert settings.postgres.extensions == ("vector", "pg_trgm", "uuid-ossp")
    assert settings.runs_offline


@pytest.mark.parametrize(("stack", "environment"), [("dev", "development"), ("uat", "uat"),
                                                     ("production", "production"), ("pr-42", "preview")])
def test_environment_is_derived_from_the_stack_name(stack, environment):
    assert environment_for(stack, None) == environment


def test_physical_names_carry_project_and_stack():
    assert load_settings("stagecraft", "dev", DEV).physical_name("api") == "stagecraft-dev-api"


def test_settings_are_frozen():
    settings = load_settings("stagecraft", "dev", DEV)
    with pytest.raises(Exception):
        settings.stack = "uat"  # type: ignore[misc]


# --- the key and a fix that pastes ------------------------------------------------------------------------


def test_unknown_platform_names_the_key_the_allowed_values_and_the_fix():
    problem = _problem(_with("backend", platform="heroku"), "stagecraft:backend.platform")
    assert "'koyeb'" in problem.reason and "'local'" in problem.reason
    assert problem.fix == "pulumi config set --path 'stagecraft:backend.platform' koyeb -s dev"


def test_malformed_port_names_the_key_the_value_and_restores_the_default():
    problem = _problem(_with("backend", port="80x"), "stagecraft:backend.port")
    assert "'80x'" in problem.reason
    assert problem.fix == "pulumi config rm --path 'stagecraft:backend.port' -s dev"


def test_out_of_range_port_is_refused():
    _problem(_with("postgres", local={"port": 70000}), "stagecraft:postgres.local.port")


def test_a_missing_section_is_reported_at_its_platform_with_a_value_that_works():
    problem = _problem({k: v for k, v in DEV.items() if k != "redis"}, "stagecraft:redis.platform")
    assert "is required but not set" in problem.reason and "`stagecraft:redis` section is missing" in problem.reason
    assert problem.fix == "pulumi config set --path 'stagecraft:redis.platform' upstash -s dev"


def test_a_missing_image_names_the_image_key_not_the_backend_section():
    problem = _problem(_with("backend", platform="koyeb"), "stagecraft:backend.image")
    assert problem.fix == "pulumi config set --path 'stagecraft:backend.image' '<registry/image:tag>' -s dev"


def test_the_cloudflare_account_id_is_named_never_an_empty_path():
    error = _error({**DEV, "frontend": {"platform": "cloudflare-pages"}}, "uat")
    assert "--path 'stagecraft:'" not in str(error)
    assert _problem({**DEV, "frontend": {"platform": "cloudflare-pages"}}, "stagecraft:cloudflare.accountId",
                    "uat").fix == "pulumi config set --path 'stagecraft:cloudflare.accountId' '<32-hex account id>' -s uat"


def test_a_placeholder_is_quoted_so_a_paste_never_redirects():
    for problem in _error(_with("backend", platform="koyeb", port="x")).problems:
        assert not re.search(r"(?<!')<[^>]+>(?!')", problem.fix or ""), problem.fix


def test_unknown_key_is_refused_with_its_likely_spelling_moved_into_place():
    problem = _problem(_with("storage", bukket="pics"), "stagecraft:storage.bukket")
    assert "did you mean `stagecraft:storage.bucket`?" in problem.reason
    assert problem.fix == ("pulumi config set --path 'stagecraft:storage.bucket' "
                           "\"$(pulumi config get --path 'stagecraft:storage.bukket' -s dev)\" -s dev && "
                           "pulumi config rm --path 'stagecraft:storage.bukket' -s dev")


def test_unknown_key_without_a_likely_spelling_is_removed():
    problem = _problem(_with("storage", colour="red"), "stagecraft:storage.colour")
    assert problem.fix == "pulumi config rm --path 'stagecraft:storage.colour' -s dev"


def test_a_key_set_without_path_is_moved_with_a_plain_rm():
    problem = _problem({**DEV, "backend.port": 8001}, "stagecraft:backend.port")
    assert "without `--path`" in problem.reason
    assert problem.fix.endswith("&& pulumi config rm 'stagecraft:backend.port' -s dev")
    assert "rm --path 'stagecraft:backend.port'" not in problem.fix


def test_a_key_set_without_path_counts_as_set_where_it_belongs():
    # `stagecraft:backend.image` set flat is reported once (moved), not also as a missing image.
    error = _error({**DEV, "backend": {"platform": "koyeb"}, "backend.image": "ghcr.io/acme/api:1"})
    assert [p.key for p in error.problems] == ["stagecraft:backend.image"]


def test_a_rule_on_a_section_is_reported_at_the_key_it_names():
    problem = _problem(_with("backend", platform="render", image="ghcr.io/acme/api:1", render={}),
                       "stagecraft:backend.render.serviceId", "beta")
    assert problem.fix.startswith("pulumi config set --path 'stagecraft:backend.render.serviceId' ")


BAD_CONFIGS = [
    _with("backend", platform="koyeb", koyeb={"minScale": 2, "maxScale": 1, "instanceType": "nano"}),
    _with("postgres", platform="neon", neon={"minCu": 1, "maxCu": 0.5}),
    _with("frontend", apps=[{"name": "a-app", "devPort": 3000, "framework": "v"},
                            {"name": "a-app", "devPort": 3000, "framework": "v"}], exclude=["nope"]),
    {**DEV, "frontend": {"platform": "cloudflare-pages"}},
    _with("backend", local_url="localhost:8000"),
    _with("redis", localUrl="redis://"),
]


@pytest.mark.parametrize("raw", BAD_CONFIGS)
def test_every_problem_names_a_key_that_config_set_can_write(raw):
    for problem in _error(raw, "uat" if raw["frontend"]["platform"] != "local" else "dev").problems:
        path = problem.key.removeprefix("stagecraft:")
        loc = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path))
        assert problem.key.startswith("stagecraft:") and loc and not is_section(StackSettings, loc), problem
        assert problem.fix and problem.fix.startswith("pulumi config ") and "--path 'stagecraft:'" not in problem.fix


def test_removals_of_list_items_come_last_item_first():
    error = _error(_with("frontend", exclude=["nope", "weedgo-commerce-modern", "nada"]))
    assert [p.key for p in error.problems] == ["stagecraft:frontend.exclude[2]", "stagecraft:frontend.exclude[0]"]


def test_unknown_stack_name_needs_an_explicit_environment_with_a_flat_set():
    with pytest.raises(ConfigError) as caught:
        environment_for("staging2", None)
    assert caught.value.problems[0].fix == "pulumi config set 'stagecraft:environment' uat -s staging2"


# --- every problem in one message -------------------------------------------------------------------------


def test_every_problem_is_listed_in_one_message():
    error = _error({**_with("backend", platform="nope"), "redis": {"platform": "nope"}})
    assert {"stagecraft:backend.platform", "stagecraft:redis.platform"} <= {p.key for p in error.problems}


def test_rules_across_sections_still_report_when_another_section_is_wrong():
    raw = {**_with("backend", port=3000, localUrl="http://localhost:3000"),
           "postgres": {"platform": "local", "database": "template1"}}
    keys = {p.key for p in _error(raw).problems}
    assert {"stagecraft:backend.port", "stagecraft:postgres.database"} <= keys


# --- values that deploy but break the product -------------------------------------------------------------


def test_the_local_backend_on_an_apps_dev_port_is_moved_with_its_url():
    problem = _problem(_with("backend", port=3000, localUrl="http://localhost:3000"), "stagecraft:backend.port")
    assert "'weedgo-commerce-pot-palace'" in problem.reason
    assert problem.fix == ("pulumi config set --path 'stagecraft:backend.port' 3001 -s dev && "
                           "pulumi config set --path 'stagecraft:backend.localUrl' http://localhost:3001 -s dev")


def test_an_apps_dev_port_on_the_backends_port_names_that_app():
    apps = [{"name": "shop", "devPort": 8000, "framework": "vite"}]
    problem = _problem(_with("frontend", apps=apps), "stagecraft:frontend.apps[0].devPort")
    assert problem.fix == "pulumi config set --path 'stagecraft:frontend.apps[0].devPort' 8001 -s dev"


def test_a_local_url_on_another_port_than_the_backend_is_refused():
    problem = _problem(_with("backend", port=8001), "stagecraft:backend.localUrl")
    assert problem.fix == "pulumi config set --path 'stagecraft:backend.localUrl' http://localhost:8001 -s dev"


def test_a_url_without_a_scheme_is_refused_once():
    error = _error(_with("backend", localUrl="localhost:8000"))
    assert [p.key for p in error.problems] == ["stagecraft:backend.localUrl"]
    assert "does not start with http:// or https://" in error.problems[0].reason


@pytest.mark.parametrize(("section", "key", "value"), [("postgres", "host", ""), ("frontend", "localHost", " ")])
def test_an_empty_host_is_refused(section, key, value):
    raw = _with(section, **({"local": {key: value}} if section == "postgres" else {key: value}))
    full = f"stagecraft:postgres.local.{key}" if section == "postgres" else f"stagecraft:frontend.{key}"
    assert _problem(raw, full).fix == f"pulumi config rm --path '{full}' -s dev"


def test_a_host_with_a_scheme_is_refused():
    assert "is a URL" in _problem(_with("frontend", localHost="http://localhost"), "stagecraft:frontend.localHost").reason


def test_a_whitespace_only_folder_restores_the_default():
    problem = _problem(_with("storage", localRoot="   "), "stagecraft:storage.localRoot")
    assert "only whitespace" in problem.reason
    assert problem.fix == "pulumi config rm --path 'stagecraft:storage.localRoot' -s dev"


def test_a_whitespace_only_image_is_refused_once():
    error = _error(_with("backend", platform="koyeb", image="  "), "uat")
    assert [p.key for p in error.problems if p.key.startswith("stagecraft:backend")] == ["stagecraft:backend.image"]


def test_a_padded_value_is_set_again_without_the_spaces():
    problem = _problem({**DEV, "envFiles": {"directory": " env"}}, "stagecraft:envFiles.directory")
    assert problem.fix == "pulumi config set --path 'stagecraft:envFiles.directory' env -s dev"


def test_an_image_that_is_no_image_reference_is_refused():
    problem = _problem(_with("backend", base=UAT, image="ghcr.io/Acme/API latest"), "stagecraft:backend.image", "uat")
    assert "is not an image reference" in problem.reason


def test_empty_text_passes_where_it_means_unset():
    load_settings("stagecraft", "dev", {**DEV, "jwtRotation": ""})


# --- values that damage things outside the stack ----------------------------------------------------------


@pytest.mark.parametrize("database", ["postgres", "template0", "template1"])
def test_the_servers_own_database_is_refused(database):
    problem = _problem(_with("postgres", database=database), "stagecraft:postgres.database")
    assert "server's own database" in problem.reason
    assert problem.fix == "pulumi config rm --path 'stagecraft:postgres.database' -s dev"


def test_the_admin_role_is_refused_before_its_password_is_reset():
    problem = _problem(_with("postgres", role="stagecraft_admin"), "stagecraft:postgres.role")
    assert "locking you out" in problem.reason


@pytest.mark.parametrize("role", ["postgres", "pg_monitor"])
def test_the_servers_reserved_roles_are_refused(role):
    _problem(_with("postgres", role=role), "stagecraft:postgres.role")


def test_the_users_own_admin_role_is_refused_too():
    raw = _with("postgres", role="dba", local={"adminUser": "dba"})
    assert _problem(raw, "stagecraft:postgres.role").fix == "pulumi config rm --path 'stagecraft:postgres.role' -s dev"


# --- values the platforms refuse --------------------------------------------------------------------------


def test_an_unknown_koyeb_instance_type_is_refused():
    problem = _problem(_with("backend", base=UAT, koyeb={"instanceType": "gpu-h100"}),
                       "stagecraft:backend.koyeb.instanceType", "uat")
    assert problem.fix == "pulumi config set --path 'stagecraft:backend.koyeb.instanceType' free -s uat"


def test_an_instance_type_outside_its_regions_is_refused():
    problem = _problem(_with("backend", base=UAT, koyeb={"instanceType": "eco-nano", "regions": ["tyo"]}),
                       "stagecraft:backend.koyeb.regions[0]", "uat")
    assert "offers the 'eco-nano' instance" in problem.reason


def test_more_than_one_free_instance_is_refused_at_max_scale():
    problem = _problem(_with("backend", base=UAT, koyeb={"maxScale": 3}), "stagecraft:backend.koyeb.maxScale", "uat")
    assert problem.fix == "pulumi config set --path 'stagecraft:backend.koyeb.maxScale' 1 -s uat"


def test_an_unknown_upstash_plan_and_region_are_refused():
    error = _error(_with("redis", base=UAT, upstash={"plan": "hobby", "primaryRegion": "mars-1"}), "uat")
    assert {"stagecraft:redis.upstash.plan", "stagecraft:redis.upstash.primaryRegion"} <= {p.key for p in error.problems}


def test_a_pages_project_name_too_long_with_the_stack_name_names_the_app_and_a_name_that_fits():
    stack = "uat-checkout-redesign-for-the-spring-sale"
    apps = [{"name": "storefront", "devPort": 3000, "framework": "vite"}]
    raw = {**_with("frontend", base=UAT, apps=apps), "environment": "uat"}
    problem = _problem(raw, "stagecraft:frontend.apps[0].name", stack)
    assert "Cloudflare Pages project name" in problem.reason and "1-58 characters" in problem.reason
    assert problem.fix == f"pulumi config set --path 'stagecraft:frontend.apps[0].name' store -s {stack}"


def test_a_name_only_the_stack_name_can_shorten_is_fixed_by_a_rename():
    stack = "uat-" + "x" * 60
    error = _error({**UAT, "environment": "uat"}, stack)
    renames = [p for p in error.problems if p.key == f"stack name {stack!r}"]
    assert len(renames) == 1 and error.problems[-1] == renames[0]  # run last: the other fixes name the stack
    fitting = re.match(r"pulumi stack rename (\S+) -s (\S+)$", renames[0].fix)
    assert fitting and fitting.group(2) == stack
    load_settings("stagecraft", fitting.group(1), {**UAT, "environment": "uat"})  # the new name fits everywhere


def test_a_bucket_name_too_long_names_the_bucket_key():
    stack = "uat-" + "x" * 40
    problem = _problem({**_with("storage", base=UAT, bucket="customer-uploads-archive"), "environment": "uat"},
                       "stagecraft:storage.bucket", stack)
    assert "R2 bucket name" in problem.reason
