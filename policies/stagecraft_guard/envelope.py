"""Keep the engine's secret marker on property values that reach the policies.

The engine sends a policy pack every secret value wrapped in an envelope
``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": <value>}``. pulumi-policy
1.7.0 strips that envelope (``pulumi_policy/deserialize.py``) before a policy sees the properties, so a policy
cannot tell a secret from a plain value, which the secret-hygiene rule must do. :func:`install` replaces the
deserializer that ``pulumi_policy.policy`` calls with :func:`keep_secret_envelopes`, which decodes everything
the same way except that secret envelopes stay in place (with their inner value decoded).
:mod:`stagecraft_guard.props` reads through them and reports which values were secret.
"""

from __future__ import annotations

from typing import Any, Dict

import pulumi_policy.deserialize as sdk_deserialize
import pulumi_policy.policy as sdk_policy

SIG_KEY = sdk_deserialize.SPECIAL_SIG_KEY
SECRET_SIG = sdk_deserialize.SPECIAL_SECRET_SIG


def secret_envelope(value: Any) -> Dict[str, Any]:
    """Wrap ``value`` the way the engine marks a secret (used by tests and by :func:`keep_secret_envelopes`)."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret_envelope(value: Any) -> bool:
    """Whether ``value`` is a secret envelope (a plain dict or pulumi-policy's read-only mapping proxy)."""
    try:
        return hasattr(value, "keys") and SIG_KEY in value and value[SIG_KEY] == SECRET_SIG
    except Exception:  # an unknown value inside a proxy raises on access; it is not an envelope
        return False


def keep_secret_envelopes(props: Dict[str, Any]) -> Dict[str, Any]:
    """Decode wire properties like pulumi-policy does, but leave secret envelopes in place."""
    return {key: _keep(value) for key, value in props.items()}


def _keep(value: Any) -> Any:
    if isinstance(value, list):
        return [_keep(element) for element in value]
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            if "value" not in value:
                raise AssertionError("invalid secret envelope: no 'value' key")
            return secret_envelope(_keep(value["value"]))
        if SIG_KEY in value:
            # Assets and archives: pulumi-policy's own decoding is right for them.
            return sdk_deserialize._deserialize_property(value)  # pylint: disable=protected-access
        return {key: _keep(element) for key, element in value.items()}
    return value


def install() -> None:
    """Make pulumi-policy hand the policies secret envelopes instead of bare values.

    Raises ``RuntimeError`` if the installed pulumi-policy no longer has the hook this relies on, so an SDK
    upgrade fails loudly instead of silently blinding the secret-hygiene rule.
    """
    if not callable(getattr(sdk_policy, "deserialize_properties", None)):
        raise RuntimeError(
            "pulumi_policy.policy.deserialize_properties is gone: this pack was written for pulumi-policy 1.7.0; "
            "update stagecraft_guard/envelope.py for the installed version"
        )
    sdk_policy.deserialize_properties = keep_secret_envelopes
