"""Checks before any resource: the machine (PostgreSQL, folders, sources), the environment (credentials, the
passphrase), each problem with its key and a fix, and all of them even when part of the configuration is wrong."""

from __future__ import annotations

import json
import subprocess

import pulumi
import pytest

from settings import ConfigError, load_settings
from settings.preflight import DEV_PASSPHRASE, preflight, preflight_problems
from tests.machine import closed_port

DEV = {
    "frontend": {"platform": "local"},
    "backend": {"platform": "local"},
    "redis": {"platform": "memory"},
    "storage": {"platform": "local"},
}


def test_unreachable_postgres_stops_with_the_key_and_the_fix(tmp_path):
    password_file = tmp_path / "admin-password"
    password_file.write_text("x")
    port = closed_port()
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {
        "platform": "local", "local": {"port": port, "adminPasswordFile": str(password_file)}}})
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ={})
    message = str(caught.value)
    assert f"stagecraft:postgres.local.port: the server at host 127.0.0.1, port {port}" in message
    assert "fix: bash bootstrap/postgres.sh ensure" in message
    assert "Nothing was changed" in message


def test_missing_admin_password_file_names_the_setting(tmp_path):
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {
        "platform": "local", "local": {"adminPasswordFile": str(tmp_path / "absent")}}})
    with pytest.raises(pulumi.RunError, match="adminPasswordFile"):
        preflight(settings, environ={})


def test_dev_passphrase_is_refused_on_other_stacks():
    settings = load_settings("stagecraft", "uat", {**DEV, "postgres": {"platform": "neon"}})
    with pytest.raises(pulumi.RunError, match="must not use the dev stack's documented passphrase"):
        preflight(settings, environ={"PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE})


def test_the_passphrase_fix_is_one_command_a_shell_accepts():
    settings = load_settings("stagecraft", "uat", {**DEV, "postgres": {"platform": "neon"}})
    [problem] = [p for p in preflight_problems(settings, environ={"PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE,
                                                                   "NEON_API_KEY": "n"}, dry_run=True)
                 if p.key == "PULUMI_CONFIG_PASSPHRASE"]
    assert problem.fix == "export PULUMI_CONFIG_PASSPHRASE='<this stack passphrase>'"
    assert subprocess.run(["bash", "-n", "-c", problem.fix]).returncode == 0


def test_own_passphrase_passes_on_other_stacks():
    settings = load_settings("stagecraft", "uat", {**DEV, "postgres": {"platform": "neon"}})
    preflight(settings, environ={"PULUMI_CONFIG_PASSPHRASE": "team-secret", "NEON_API_KEY": "n"})


UAT = {"frontend": {"platform": "cloudflare-pages"}, "backend": {"platform": "koyeb", "image": "img:1"},
       "postgres": {"platform": "neon"}, "redis": {"platform": "upstash"}, "storage": {"platform": "r2"},
       "cloudflare": {"accountId": "0123456789abcdef0123456789abcdef"}}
ALL_CREDENTIALS = {"KOYEB_TOKEN": "k", "NEON_API_KEY": "n", "UPSTASH_EMAIL": "e", "UPSTASH_API_KEY": "u",
                   "CLOUDFLARE_API_TOKEN": "c"}


def test_missing_platform_credentials_are_named_before_any_change():
    settings = load_settings("stagecraft", "uat", UAT)
    environ = {k: v for k, v in ALL_CREDENTIALS.items() if k not in ("KOYEB_TOKEN", "UPSTASH_API_KEY")}
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ=environ)
    message = str(caught.value)
    assert "koyeb credentials are missing: set KOYEB_TOKEN" in message
    assert "upstash credentials are missing: set UPSTASH_API_KEY" in message
    assert "neon" not in message


def test_cloudflare_token_for_r2_alone_may_come_from_stack_config(stand_in):
    settings = load_settings("stagecraft", "uat", {**UAT, "frontend": {"platform": "local"}})
    environ = {k: v for k, v in ALL_CREDENTIALS.items() if k != "CLOUDFLARE_API_TOKEN"}
    preflight(settings, environ=environ, config_keys={"cloudflare:apiToken"}, project_root=stand_in)


def test_pages_deployments_need_the_cloudflare_token_in_the_environment(stand_in):
    settings = load_settings("stagecraft", "uat", UAT)
    environ = {k: v for k, v in ALL_CREDENTIALS.items() if k != "CLOUDFLARE_API_TOKEN"}
    with pytest.raises(pulumi.RunError, match="cloudflare-pages credentials are missing: set CLOUDFLARE_API_TOKEN"):
        preflight(settings, environ=environ, config_keys={"cloudflare:apiToken"}, project_root=stand_in)


@pytest.fixture
def stand_in(tmp_path):
    """A project root whose stand-in web app declares the inventory's variants."""
    web = tmp_path / "examples" / "product" / "web"
    web.mkdir(parents=True)
    variants = ["pot-palace", "modern", "headless", *(f"theme-{n}" for n in range(1, 9))]
    web.joinpath("package.json").write_text(json.dumps({"name": "web", "stagecraft": {"variants": variants}}))
    return tmp_path


def test_every_app_with_a_buildable_source_passes(stand_in):
    preflight(load_settings("stagecraft", "uat", UAT), environ=ALL_CREDENTIALS, project_root=stand_in)


def test_a_missing_source_folder_is_named_before_anything_is_built(tmp_path):
    apps = [{"name": "shop", "source": "apps/shop", "devPort": 3000, "framework": "vite"}]
    settings = load_settings("stagecraft", "uat", {**UAT, "frontend": {"platform": "cloudflare-pages", "apps": apps}})
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ=ALL_CREDENTIALS, project_root=tmp_path)
    message = str(caught.value)
    assert "stagecraft:frontend.apps[0].source: app 'shop': source folder" in message and "does not exist" in message
    assert "fix: pulumi config set --path 'stagecraft:frontend.apps[0].source' '<" in message


def test_a_variant_the_app_does_not_declare_is_refused(stand_in):
    apps = [{"name": "shop", "variant": "retro", "devPort": 3000, "framework": "vite"}]
    settings = load_settings("stagecraft", "uat", {**UAT, "frontend": {"platform": "cloudflare-pages", "apps": apps}})
    with pytest.raises(pulumi.RunError) as caught:
        preflight(settings, environ=ALL_CREDENTIALS, project_root=stand_in)
    message = str(caught.value)
    assert "variant 'retro' is not one the app builds (pot-palace, modern" in message
    assert "pulumi config set --path 'stagecraft:frontend.apps[0].variant' pot-palace -s uat" in message


def test_local_frontends_are_not_built_so_their_sources_are_not_checked(tmp_path):
    preflight(load_settings("stagecraft", "uat", {**UAT, "frontend": {"platform": "local"}}),
              environ=ALL_CREDENTIALS, project_root=tmp_path)


def test_an_env_file_folder_that_is_a_file_is_named_and_left_alone(tmp_path):
    blocker = tmp_path / "dotenv"
    blocker.write_text("mine")
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {"platform": "neon"},
                                                    "envFiles": {"directory": str(blocker)}})
    problems = [p for p in preflight_problems(settings, environ={"NEON_API_KEY": "n"}, project_root=tmp_path)
                if p.key == "stagecraft:envFiles.directory"]
    assert problems and "is a file, not a folder" in problems[0].reason
    assert problems[0].fix == "pulumi config rm --path 'stagecraft:envFiles.directory' -s dev"
    assert blocker.read_text() == "mine"


def test_a_folder_fix_never_lands_on_another_file(tmp_path):
    (tmp_path / "env").write_text("a file where the default folder would go")
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {"platform": "neon"}})
    problem = next(p for p in preflight_problems(settings, environ={"NEON_API_KEY": "n"}, project_root=tmp_path)
                   if p.key == "stagecraft:envFiles.directory")
    assert problem.fix == "pulumi config set --path 'stagecraft:envFiles.directory' env-1 -s dev"


def test_a_bucket_root_that_is_a_file_is_named(tmp_path):
    (tmp_path / "buckets").write_text("")
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {"platform": "neon"},
                                                    "storage": {"platform": "local", "localRoot": "buckets"}})
    keys = [p.key for p in preflight_problems(settings, environ={"NEON_API_KEY": "n"}, project_root=tmp_path)]
    assert "stagecraft:storage.localRoot" in keys


def test_checks_still_run_on_the_sections_that_validated(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings("stagecraft", "uat", {**UAT, "backend": {"platform": "koyeb", "image": "img:1", "port": "x"}})
    problems = preflight_problems(caught.value.partial, environ={}, project_root=tmp_path)
    keys = {p.key for p in problems}
    assert {"KOYEB_TOKEN", "NEON_API_KEY", "CLOUDFLARE_API_TOKEN"} <= keys  # the backend's platform validated


def test_a_credential_problem_says_how_to_set_it():
    settings = load_settings("stagecraft", "uat", UAT)
    problem = next(p for p in preflight_problems(settings, environ={}, project_root=None) if p.key == "KOYEB_TOKEN")
    assert problem.fix == "export KOYEB_TOKEN='<koyeb KOYEB_TOKEN>'"


@pytest.fixture
def privileged_role():
    """A role with CREATEROLE and a known password on the project's server (dropped afterwards)."""
    import secrets

    import psycopg
    from psycopg import sql

    from tests.machine import project_admin_url

    role, password = f"sc_priv_{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(sql.Identifier(role),
                                                                                 sql.Literal(password)))
    yield role, password
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_a_role_with_server_wide_powers_on_the_live_server_is_refused(privileged_role, tmp_path):
    from tests.engine.dev_stack import ADMIN_PASSWORD_FILE

    role, _password = privileged_role
    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {
        "platform": "local", "role": role, "local": {"adminPasswordFile": str(ADMIN_PASSWORD_FILE)}}})
    problem = next(p for p in preflight_problems(settings, environ={}, project_root=tmp_path)
                   if p.key == "stagecraft:postgres.role")
    assert "holds createrole" in problem.reason and "the server's own" in problem.reason
    assert problem.fix == "pulumi config rm --path 'stagecraft:postgres.role' -s dev"


@pytest.fixture
def foreign_database():
    """A database the admin role owns (dropped afterwards): someone else's, as far as any stack is concerned."""
    import secrets

    import psycopg
    from psycopg import sql

    from tests.machine import project_admin_url

    name = f"sc_owned_{secrets.token_hex(4)}"
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_database_another_role_owns_is_not_taken_over(foreign_database, tmp_path):
    from tests.engine.dev_stack import ADMIN_PASSWORD_FILE

    settings = load_settings("stagecraft", "dev", {**DEV, "postgres": {
        "platform": "local", "database": foreign_database, "role": "app_of_this_stack",
        "local": {"adminPasswordFile": str(ADMIN_PASSWORD_FILE)}}})
    problems = [p for p in preflight_problems(settings, environ={}, project_root=tmp_path)
                if p.key == "stagecraft:postgres.database"]
    assert problems and "belongs to role 'stagecraft_admin'" in problems[0].reason
    assert problems[0].fix == f"pulumi config set --path 'stagecraft:postgres.database' dev_{foreign_database} -s dev"
