"""Reading properties as the engine delivers them: names, unknowns, secrets, and the secret-envelope hook."""

import pulumi_policy.policy as sdk_policy
from pulumi_policy.proxy import unknown_checking_proxy

from stagecraft_guard import envelope
from stagecraft_guard.props import UNKNOWN, camel, leaves, read, wire_name

from .builders import UNKNOWN as WIRE_UNKNOWN
from .builders import secret

KOYEB = "pulumi-python:dynamic/koyeb:Service"
PAGES = "cloudflare:index/pagesProject:PagesProject"

WIRE_PROPS = {
    "name": "api",
    "env": {
        "DATABASE_URL": {envelope.SIG_KEY: envelope.SECRET_SIG, "value": "postgres://u:p@h/db"},
        "MODE": "prod",
    },
    "archive": {envelope.SIG_KEY: "c44067f5952c0a294b673a41bacd8c17", "text": "hello"},
}


def test_official_provider_fields_are_read_in_camel_case():
    props = unknown_checking_proxy({"productionBranch": "main"})
    assert read(props, PAGES, "production_branch").value == "main"


def test_dynamic_provider_fields_are_read_as_given():
    props = unknown_checking_proxy({"instance_type": "free", "instanceType": "nano"})
    assert read(props, KOYEB, "instance_type").value == "free"


def test_wire_name_converts_only_for_official_tokens():
    assert (wire_name(PAGES, "deployment_configs"), wire_name(KOYEB, "max_scale")) == ("deploymentConfigs", "max_scale")


def test_camel_keeps_single_words():
    assert camel("pattern") == "pattern"


def test_missing_field_is_reported_as_not_present():
    value = read(unknown_checking_proxy({}), KOYEB, "instance_type")
    assert (value.present, value.known) == (False, True)


def test_unknown_field_is_read_without_raising():
    value = read(unknown_checking_proxy({"instance_type": WIRE_UNKNOWN}), KOYEB, "instance_type")
    assert (value.present, value.known, value.value) == (True, False, UNKNOWN)


def test_secret_field_is_unwrapped_and_flagged():
    value = read(unknown_checking_proxy({"value": secret("s3cr3t")}), KOYEB, "value")
    assert (value.value, value.secret) == ("s3cr3t", True)


def test_unknown_secret_stays_secret():
    value = read(unknown_checking_proxy({"value": secret(WIRE_UNKNOWN)}), KOYEB, "value")
    assert (value.known, value.secret) == (False, True)


def test_nested_read_passes_through_lists_and_secrets():
    props = unknown_checking_proxy({"requiredPullRequestReviews": [{"requiredApprovingReviewCount": 2}]})
    assert read(props, "github:index/branchProtection:BranchProtection", "required_pull_request_reviews", 0,
                "required_approving_review_count").value == 2


def test_leaves_mark_everything_inside_a_secret_object_as_secret():
    props = unknown_checking_proxy({"values": secret({"A": "1", "B": "2"}), "path": "/tmp/.env"})
    found = {leaf.dotted(): leaf.secret for leaf in leaves(props)}
    assert found == {"values.A": True, "values.B": True, "path": False}


def test_leaves_skip_engine_internal_keys():
    props = unknown_checking_proxy({"__provider": "pickled", "name": "x"})
    assert [leaf.dotted() for leaf in leaves(props)] == ["name"]


def test_leaf_name_is_the_nearest_string_key():
    props = unknown_checking_proxy({"env": [{"JWT_SECRET": "x"}]})
    assert [leaf.name for leaf in leaves(props)] == ["JWT_SECRET"]


def test_deserializer_keeps_secret_envelopes():
    decoded = envelope.keep_secret_envelopes(WIRE_PROPS)
    assert decoded["env"]["DATABASE_URL"] == secret("postgres://u:p@h/db")


def test_deserializer_leaves_plain_values_plain():
    assert envelope.keep_secret_envelopes(WIRE_PROPS)["env"]["MODE"] == "prod"


def test_deserializer_still_decodes_assets():
    assert envelope.keep_secret_envelopes(WIRE_PROPS)["archive"].text == "hello"


def test_install_replaces_the_sdk_deserializer(monkeypatch):
    monkeypatch.setattr(sdk_policy, "deserialize_properties", sdk_policy.deserialize_properties)
    envelope.install()
    assert sdk_policy.deserialize_properties is envelope.keep_secret_envelopes
