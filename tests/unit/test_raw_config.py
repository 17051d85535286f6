"""The config map the engine hands over: keys Pulumi would ignore without a word, and credentials in plain text."""

from __future__ import annotations

import json

from settings import load_settings
from settings.load import parse_raw_config
from settings.provider_config import provider_keys
from settings.raw_config import engine_config_problems, unused_provider_problems

DEV = {"stagecraft:frontend": {"platform": "local"}, "stagecraft:backend": {"platform": "local"},
       "stagecraft:postgres": {"platform": "local"}, "stagecraft:redis": {"platform": "memory"},
       "stagecraft:storage": {"platform": "local"}}


def _values(config: dict) -> dict[str, str]:
    """As the engine hands config over: objects as JSON text, text as it is."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def _problems(config: dict, secret: set[str] = frozenset(), stack: str = "dev") -> dict:
    values = _values(config)
    _tree, problems = engine_config_problems(values, secret, stack, parse_raw_config(values))
    return {problem.key: problem for problem in problems}


def test_a_clean_config_map_has_no_problems():
    assert _problems({**DEV, "pulumi:tags": {"team": "web"}, "stagecraft:environment": ""}) == {}


def test_a_mistyped_namespace_is_moved_to_the_right_one_leaf_by_leaf():
    config = {k: v for k, v in DEV.items() if k != "stagecraft:redis"}
    problem = _problems({**config, "stagecraf:redis": {"platform": "memory"}})["stagecraf:redis"]
    assert "did you mean `stagecraft:redis`?" in problem.reason
    assert problem.fix == ("pulumi config set --path 'stagecraft:redis.platform' memory -s dev && "
                           "pulumi config rm 'stagecraf:redis' -s dev")


def test_a_mistyped_namespace_whose_key_is_set_already_is_removed():
    problem = _problems({**DEV, "stagecrafts:backend": {"platform": "local"}})["stagecrafts:backend"]
    assert problem.fix == "pulumi config rm 'stagecrafts:backend' -s dev"


def test_an_unknown_namespace_is_removed():
    problem = _problems({**DEV, "aws:region": "us-east-1"})["aws:region"]
    assert "no part of the program reads the namespace 'aws'" in problem.reason
    assert problem.fix == "pulumi config rm 'aws:region' -s dev"


def test_the_provider_keys_come_from_the_pinned_sdk():
    assert {"apiToken", "apiKey", "email"} <= provider_keys("cloudflare")


def test_a_misspelt_provider_key_is_moved_to_its_likely_spelling_without_printing_it():
    problem = _problems({**DEV, "cloudflare:apiTokn": "secret-value"}, secret={"cloudflare:apiTokn"})[
        "cloudflare:apiTokn"]
    assert "did you mean `cloudflare:apiToken`?" in problem.reason
    assert problem.fix.startswith("pulumi config set --secret --path 'cloudflare:apiToken' \"$(pulumi config get "
                                  "'cloudflare:apiTokn' -s dev)\"")
    assert "secret-value" not in problem.fix


def test_a_plain_provider_credential_is_stored_again_as_a_secret_without_printing_it():
    problem = _problems({**DEV, "cloudflare:apiToken": "tok-123"})["cloudflare:apiToken"]
    assert "credential in plain text" in problem.reason
    assert problem.fix == ("pulumi config set --secret 'cloudflare:apiToken' "
                           "\"$(pulumi config get 'cloudflare:apiToken' -s dev)\" -s dev")
    assert "tok-123" not in problem.reason + problem.fix


def test_a_secret_provider_credential_passes():
    assert _problems({**DEV, "cloudflare:apiToken": "tok-123"}, secret={"cloudflare:apiToken"}) == {}


def test_a_credential_shaped_value_in_stagecraft_config_is_refused_at_its_leaf():
    config = {**DEV, "stagecraft:postgres": {"platform": "local", "local": {"host": "postgres://a:pw@db"}}}
    problem = _problems(config)["stagecraft:postgres.local.host"]
    assert "URL with a password" in problem.reason
    assert problem.fix.startswith("pulumi config set --secret --path 'stagecraft:postgres.local.host' ")


def test_a_key_set_without_path_is_laid_where_it_belongs_and_reported():
    values = _values({**DEV, "stagecraft:backend.port": 8001})
    tree, problems = engine_config_problems(values, set(), "dev", parse_raw_config(values))
    assert tree["backend"] == {"platform": "local", "port": 8001}
    assert [p.key for p in problems] == ["stagecraft:backend.port"]
    assert problems[0].fix == ("pulumi config set --path 'stagecraft:backend.port' "
                               "\"$(pulumi config get 'stagecraft:backend.port' -s dev)\" -s dev && "
                               "pulumi config rm 'stagecraft:backend.port' -s dev")


def test_a_secret_set_without_path_stays_secret_when_moved():
    problem = _problems({**DEV, "stagecraft:jwt.seed": "s3cr3t"}, secret={"stagecraft:jwt.seed"})[
        "stagecraft:jwt.seed"]
    assert problem.fix.startswith("pulumi config set --secret --path 'stagecraft:jwt.seed' ")


def test_a_provider_the_stack_does_not_use_is_named_with_a_removal():
    settings = load_settings("stagecraft", "dev", parse_raw_config(_values(DEV)))
    problems = unused_provider_problems(["vercel:apiToken", "pulumi:tags", "stagecraft:backend"], settings, "dev")
    assert [(p.key, p.fix) for p in problems] == [("vercel:apiToken", "pulumi config rm 'vercel:apiToken' -s dev")]
    assert "creates nothing with the vercel provider" in problems[0].reason
