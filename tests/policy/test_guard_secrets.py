"""secret-hygiene: credential-looking values are secrets wherever they are stored."""

import pytest

from stagecraft_guard.rules import secrets

from .builders import UNKNOWN, resource_args, run, secret

VERCEL_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable"
VERCEL_PROJECT = "vercel:index/project:Project"
ACTIONS_VARIABLE = "github:index/actionsVariable:ActionsVariable"
PAGES = "cloudflare:index/pagesProject:PagesProject"
KOYEB_SECRET = "pulumi-python:dynamic/koyeb:Secret"
KOYEB_SERVICE = "pulumi-python:dynamic/koyeb:Service"
ENV_FILE = "pulumi-python:dynamic/local:EnvFile"
NEON_ROLE = "pulumi-python:dynamic/neon:Role"
UPSTASH = "pulumi-python:dynamic/upstash:RedisDatabase"

DATABASE_URL = "postgresql://stagecraft:hunter2hunter2@ep-cool-1.eu-central-1.aws.neon.tech/app"


@pytest.fixture
def policy():
    return secrets.policy()


def _vercel(key, value, **extra):
    return resource_args(VERCEL_VAR, {"projectId": "prj", "key": key, "value": secret(value),
                                      "targets": ["production"], **extra}, name="var")


def test_sensitive_vercel_credential_passes(policy):
    assert run(policy, _vercel("DATABASE_URL", DATABASE_URL, sensitive=True)).messages == []


def test_non_sensitive_vercel_credential_is_refused(policy):
    text = run(policy, _vercel("DATABASE_URL", DATABASE_URL, sensitive=False)).text
    assert "variable 'DATABASE_URL' is not sensitive but looks like a URL with a password" in text


def test_vercel_credential_without_sensitive_counts_as_not_sensitive(policy):
    assert len(run(policy, _vercel("JWT_SECRET", "abcdefgh12345678")).messages) == 1


def test_refusal_never_shows_the_value(policy):
    assert "hunter2" not in run(policy, _vercel("DATABASE_URL", DATABASE_URL, sensitive=False)).text


def test_plain_vercel_setting_passes(policy):
    assert run(policy, _vercel("LOG_LEVEL", "info", sensitive=False)).messages == []


def test_credential_named_vercel_variable_unknown_at_preview_is_judged_by_name(policy):
    assert len(run(policy, _vercel("API_TOKEN", UNKNOWN, sensitive=False)).messages) == 1


def test_public_build_variable_with_a_credential_is_refused_even_if_sensitive(policy):
    text = run(policy, _vercel("VITE_DATABASE_URL", DATABASE_URL, sensitive=True)).text
    assert "is a public build variable" in text


def test_public_api_url_passes(policy):
    assert run(policy, _vercel("VITE_API_URL", "https://api.example.com", sensitive=False)).messages == []


def test_inline_vercel_project_variables_are_checked(policy):
    props = {"name": "web", "environments": [{"key": "STRIPE_KEY", "value": "sk_live_" + "a" * 24,
                                              "target": ["production"], "sensitive": False}]}
    assert "environments[0] ('STRIPE_KEY')" in run(policy, resource_args(VERCEL_PROJECT, props)).text


def test_bulk_vercel_variables_are_checked(policy):
    props = {"projectId": "prj", "variables": [{"key": "STRIPE_KEY", "value": "sk_live_" + "a" * 24,
                                                "targets": ["production"], "sensitive": False}]}
    args = resource_args("vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables", props)
    assert "variables[0] ('STRIPE_KEY') is not sensitive" in run(policy, args).text


def test_railway_service_needs_its_secret_variables_declared_secret(policy):
    props = {"project_id": "p", "environment_id": "e", "name": "api", "image": "ghcr.io/x/api:1", "port": 8000,
             "owner": "stagecraft/preprod", "variables": {}, "secret_variables": {}}
    text = run(policy, resource_args("pulumi-python:dynamic/railway:Service", props)).text
    assert "secret_variables are not declared secret" in text


def test_credential_in_an_actions_variable_is_refused(policy):
    props = {"repository": "stagecraft", "variableName": "NEON_API_KEY", "value": "napi_" + "x" * 40}
    assert "replace it with github.ActionsSecret" in run(policy, resource_args(ACTIONS_VARIABLE, props)).text


def test_plain_actions_variable_passes(policy):
    props = {"repository": "stagecraft", "variableName": "STACK", "value": "uat"}
    assert run(policy, resource_args(ACTIONS_VARIABLE, props)).messages == []


def test_allow_list_exempts_a_name_but_not_a_credential_value(policy):
    config = {"allowPlainNames": ["PUBLIC_TOKEN_URL"]}
    ok = resource_args(ACTIONS_VARIABLE, {"variableName": "PUBLIC_TOKEN_URL", "value": "https://x/token"}, config=config)
    bad = resource_args(ACTIONS_VARIABLE, {"variableName": "PUBLIC_TOKEN_URL", "value": DATABASE_URL}, config=config)
    assert (run(policy, ok).messages, len(run(policy, bad).messages)) == ([], 1)


def test_extra_name_pattern_flags_more_names(policy):
    args = resource_args(ACTIONS_VARIABLE, {"variableName": "SESSION_SALT", "value": "abcdefgh"},
                         config={"extraSecretNamePatterns": ["SALT$"]})
    assert len(run(policy, args).messages) == 1


def test_invalid_extra_pattern_is_reported(policy):
    args = resource_args(ACTIONS_VARIABLE, {}, config={"extraSecretNamePatterns": ["("]})
    assert "is not a regular expression" in run(policy, args).text


def test_credential_in_plain_pages_variables_is_refused(policy):
    props = {"name": "web", "deploymentConfigs": {"production": {"environmentVariables": {"REDIS_URL": "rediss://default:pw123456@h:6379"}}}}
    assert "move 'REDIS_URL' to deployment_configs.production.secrets" in run(policy, resource_args(PAGES, props)).text


def test_pages_secret_text_variable_passes(policy):
    props = {"name": "web", "deploymentConfigs": {"preview": {"envVars": {"TOKEN": {"type": "secret_text", "value": "abc12345"}}}}}
    assert run(policy, resource_args(PAGES, props)).messages == []


def test_pages_plain_text_credential_in_typed_variables_is_refused(policy):
    props = {"name": "web", "deploymentConfigs": {"preview": {"envVars": {"TOKEN": {"type": "plain_text", "value": "abc12345"}}}}}
    assert "set type='secret_text' for 'TOKEN'" in run(policy, resource_args(PAGES, props)).text


def test_koyeb_secret_value_must_be_a_pulumi_secret(policy):
    text = run(policy, resource_args(KOYEB_SECRET, {"name": "db-url", "value": "anything"})).text
    assert "input 'value' is not a Pulumi secret" in text


def test_koyeb_secret_marked_secret_passes(policy):
    args = resource_args(KOYEB_SECRET, {"name": "db-url", "value": secret(DATABASE_URL)}, secret_outputs=["value"])
    assert run(policy, args).messages == []


def test_extensions_connection_must_be_a_pulumi_secret(policy):
    args = resource_args("pulumi-python:dynamic/postgres:Extensions",
                         {"connection_uri": DATABASE_URL, "extensions": ["vector"]})
    assert "input 'connection_uri' is not a Pulumi secret" in run(policy, args).text


def test_names_that_point_at_a_credential_are_not_credentials(policy):
    props = {"name": "app", "owner": "app", "admin_password_file": ".stagecraft/postgres/admin-password",
             "jwt_secret_name": "stagecraft-dev-jwt", "password": None, "connection_uri": None}
    args = resource_args("pulumi-python:dynamic/local:PostgresDatabase", props,
                         secret_outputs=["password", "connection_uri"])
    assert run(policy, args).messages == []


def test_credential_in_koyeb_plain_env_is_refused_even_when_secret(policy):
    props = {"name": "api", "instance_type": "free", "env": {"DATABASE_URL": secret(DATABASE_URL)}, "secret_env": {}}
    assert "map 'DATABASE_URL' in secret_env instead of env" in run(policy, resource_args(KOYEB_SERVICE, props)).text


def test_koyeb_secret_env_references_are_not_credentials(policy):
    props = {"name": "api", "instance_type": "free", "env": {"ENVIRONMENT": "uat"},
             "secret_env": {"DATABASE_URL": "stagecraft-uat-database-url", "JWT_SECRET": "stagecraft-uat-jwt"}}
    assert run(policy, resource_args(KOYEB_SERVICE, props)).messages == []


def test_plain_connection_string_in_a_dynamic_input_is_refused(policy):
    props = {"path": "/srv/.env.backend", "values": {"DATABASE_URL": DATABASE_URL, "ENVIRONMENT": "dev"}}
    text = run(policy, resource_args(ENV_FILE, props)).text
    assert "input values.DATABASE_URL is not a Pulumi secret but looks like a URL with a password" in text


def test_secret_object_in_a_dynamic_input_passes(policy):
    props = {"path": "/srv/.env.backend", "values": secret({"DATABASE_URL": DATABASE_URL, "JWT_SECRET": "x" * 32})}
    assert run(policy, resource_args(ENV_FILE, props)).messages == []


def test_secret_entry_in_a_plain_object_passes(policy):
    props = {"path": "/srv/.env.backend", "values": {"DATABASE_URL": secret(DATABASE_URL), "ENVIRONMENT": "dev"}}
    assert run(policy, resource_args(ENV_FILE, props)).messages == []


def test_credential_named_dynamic_input_unknown_at_preview_and_not_secret_is_refused(policy):
    props = {"path": "/srv/.env.backend", "values": {"JWT_SECRET": UNKNOWN}}
    assert "values.JWT_SECRET" in run(policy, resource_args(ENV_FILE, props)).text


def test_in_memory_redis_url_is_not_a_credential(policy):
    props = {"path": "/srv/.env.backend", "values": {"REDIS_URL": "memory://", "PASSWORD_MIN_LENGTH": "12"}}
    assert run(policy, resource_args(ENV_FILE, props)).messages == []


def test_role_without_secret_password_output_is_refused(policy):
    text = run(policy, resource_args(NEON_ROLE, {"project_id": "p", "branch_id": "b", "name": "app"})).text
    assert "output(s) password are not declared secret" in text


def test_role_with_secret_password_output_passes(policy):
    args = resource_args(NEON_ROLE, {"project_id": "p", "branch_id": "b", "name": "app"}, secret_outputs=["password"])
    assert run(policy, args).messages == []


def test_upstash_needs_both_secret_outputs(policy):
    args = resource_args(UPSTASH, {"database_name": "c", "plan": "free"}, secret_outputs=["password"])
    assert "output(s) rest_token are not declared secret" in run(policy, args).text
