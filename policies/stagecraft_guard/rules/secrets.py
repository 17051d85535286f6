"""secret-hygiene: values that look like credentials are stored as secrets, never in plain text.

Per resource, before it is created or changed:

- Vercel environment variables (``ProjectEnvironmentVariable``, ``ProjectEnvironmentVariables.variables`` and
  ``Project.environments``): a credential
  needs ``sensitive = true`` (the provider already makes ``value`` a Pulumi secret; ``sensitive`` is what keeps
  Vercel from showing it). A missing ``sensitive`` counts as false.
- GitHub Actions variables are readable by anyone with repository access: a credential belongs in
  ``ActionsSecret``.
- Cloudflare Pages: a credential in ``environment_variables`` (plain) belongs in ``secrets``; in the newer
  ``env_vars`` form its ``type`` must be ``secret_text``.
- Our dynamic providers: every input that looks like a credential must be a Pulumi secret (it lands in the
  state as given); the contract's secret inputs and outputs are checked by name; Koyeb ``env`` values are stored
  by Koyeb in plain text, so credentials go through a Koyeb Secret and ``secret_env`` instead.
- Anywhere: a credential in a public build variable (``VITE_*``, ``NEXT_PUBLIC_*``, ...) ends up in the browser
  bundle, secret or not.

Values are judged by :mod:`stagecraft_guard.credentials`; messages name the field, never the value.
Config: ``allowPlainNames`` (names the name test must not flag), ``extraSecretNamePatterns`` (regexes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from ..credentials import credential_reason, is_public_build_variable
from ..options import ConfigError, Reader, parsed_or_reported, strings_schema
from ..props import UNKNOWN, is_dynamic
from ..report import message
from ..resource import Resource

NAME = "secret-hygiene"
DESCRIPTION = "Credentials and connection strings are secrets: Vercel env vars sensitive, GitHub secrets not variables, dynamic inputs marked secret."

VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable"
VERCEL_PROJECT = "vercel:index/project:Project"
VERCEL_ENV_VARS = "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables"
VERCEL_VARIABLE_LISTS = {VERCEL_PROJECT: "environments", VERCEL_ENV_VARS: "variables"}
"""Vercel resources holding a list of `{key, value, sensitive}` variables, and the field that holds it."""
GITHUB_VARIABLES = ("github:index/actionsVariable:ActionsVariable",
                    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
PAGES_PROJECT = "cloudflare:index/pagesProject:PagesProject"

SECRET_INPUTS: Dict[str, Tuple[str, ...]] = {
    "pulumi-python:dynamic/koyeb:Secret": ("value",),
    "pulumi-python:dynamic/postgres:Extensions": ("connection_uri",),
    "pulumi-python:dynamic/supabase:Project": ("db_pass",),
}
"""Inputs that are secret whatever they look like (the contract's, and the SQL connection of postgres:Extensions)."""

SECRET_OUTPUTS: Dict[str, Tuple[str, ...]] = {
    "pulumi-python:dynamic/koyeb:Secret": ("value",),
    "pulumi-python:dynamic/local:GeneratedSecret": ("value",),
    "pulumi-python:dynamic/neon:Role": ("password",),
    "pulumi-python:dynamic/upstash:RedisDatabase": ("password", "rest_token"),
    "pulumi-python:dynamic/local:PostgresDatabase": ("password", "connection_uri"),
    "pulumi-python:dynamic/render:Service": ("secret_env", "restore"),
    "pulumi-python:dynamic/render:KeyValue": ("internal_url", "external_url"),
    "pulumi-python:dynamic/supabase:Project": ("db_pass", "service_key"),
    "pulumi-python:dynamic/railway:Service": ("secret_variables",),
    "pulumi-python:dynamic/railway:TemplateDatabase": ("public_url",),
}
"""Outputs the resource contract declares secret (and, for koyeb:Secret and local:GeneratedSecret, outputs that
echo or generate a secret); they need ``additional_secret_outputs``."""

PLAIN_ENV_FIELDS: Dict[str, str] = {
    "pulumi-python:dynamic/koyeb:Service": "env",
}
"""Env maps the platform stores in plain text; credentials must use the platform's secret mechanism."""

REFERENCE_FIELDS: Dict[str, Tuple[str, ...]] = {
    "pulumi-python:dynamic/koyeb:Service": ("secret_env",),
}
"""Fields whose values name secrets rather than hold them."""


@dataclass(frozen=True)
class SecretsConfig:
    """This policy's settings."""

    allow_plain_names: Tuple[str, ...]
    extra_patterns: Tuple[str, ...]


SCHEMA = PolicyConfigSchema(properties={
    "allowPlainNames": strings_schema("Variable names the name test must not flag (their values are still checked)."),
    "extraSecretNamePatterns": strings_schema("Extra regular expressions for names that hold credentials."),
})


def parse_config(raw: Optional[Mapping[str, Any]]) -> SecretsConfig:
    """Validate and type the settings."""
    reader = Reader(NAME, raw, ["allowPlainNames", "extraSecretNamePatterns"])
    patterns = reader.strings("extraSecretNamePatterns")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(NAME, "extraSecretNamePatterns", f"{pattern!r} is not a regular expression ({exc})",
                              "fix the pattern") from exc
    return SecretsConfig(allow_plain_names=reader.strings("allowPlainNames"), extra_patterns=patterns)


def _reason(name: str, value: Any, config: SecretsConfig) -> Optional[str]:
    return credential_reason(name, value, allow_names=config.allow_plain_names, extra_patterns=config.extra_patterns)


def _public(resource: Resource, where: str, name: str, value: Any, config: SecretsConfig) -> Optional[str]:
    if not is_public_build_variable(name):
        return None
    reason = _reason(name, value, config)
    if reason is None:
        return None
    return message(
        f"{resource.subject}: {where} is a public build variable and {reason}; it would be compiled into the "
        "frontend bundle that every visitor downloads, secret or not.",
        limit="no credentials in VITE_*, NEXT_PUBLIC_*, EXPO_PUBLIC_*, REACT_APP_* variables",
        source="how Vite, Next.js and Expo inline public variables at build time",
        fix="keep the credential on the backend and let the frontend call the API",
    )


def _vercel(resource: Resource, key: Any, value: Any, sensitive: Any, where: str,
            config: SecretsConfig) -> Optional[str]:
    name = key if isinstance(key, str) else ""
    public = _public(resource, where, name, value, config)
    if public:
        return public
    reason = _reason(name, value, config)
    if reason is None or sensitive is True or sensitive is UNKNOWN:
        return None
    return message(
        f"{resource.subject}: {where} is not sensitive but {reason}.",
        limit="Vercel env vars holding credentials are sensitive = true",
        source="DESIGN.md §4 and §7 (Vercel `sensitive`)",
        fix="set sensitive=True on this environment variable",
    )


def _check_vercel_env_var(resource: Resource, config: SecretsConfig) -> List[str]:
    key = resource.get("key")
    value = resource.get("value")
    sensitive = resource.get("sensitive")
    found = _vercel(resource, key.value if key.usable else "", value.value if value.present else None,
                    sensitive.value if sensitive.present else False,
                    f"variable {key.value if key.usable else '(key unknown)'!r}", config)
    return [found] if found else []


def _check_vercel_variables(resource: Resource, field_name: str, config: SecretsConfig) -> List[str]:
    variables = resource.get(field_name)
    if not variables.usable or not isinstance(variables.value, list):
        return []
    found = []
    for index, entry in enumerate(variables.value):
        if not isinstance(entry, Mapping):
            continue
        key = entry.get("key", "")
        text = _vercel(resource, key, entry.get("value"), entry.get("sensitive", False),
                       f"{field_name}[{index}] ({key!r})", config)
        if text:
            found.append(text)
    return found


def _check_github_variable(resource: Resource, config: SecretsConfig) -> List[str]:
    name = resource.get("variable_name")
    value = resource.get("value")
    variable = name.value if name.usable and isinstance(name.value, str) else ""
    reason = _reason(variable, value.value if value.present else None, config)
    if reason is None:
        return []
    return [message(
        f"{resource.subject}: Actions variable {variable or '(name unknown)'!r} {reason}; Actions variables are "
        "readable in plain text by everyone with access to the repository and appear in logs.",
        limit="credentials for workflows are GitHub Actions secrets",
        source="DESIGN.md §7 (GitHub secrets, not variables)",
        fix="replace it with github.ActionsSecret (or ActionsEnvironmentSecret) and read it as ${{ secrets.NAME }}",
    )]


def _check_pages_project(resource: Resource, config: SecretsConfig) -> List[str]:
    found = []
    for deployment in ("production", "preview"):
        plain = resource.get("deployment_configs", deployment, "environment_variables")
        if plain.usable and isinstance(plain.value, Mapping):
            for name, value in plain.value.items():
                reason = _reason(name, value, config)
                if reason:
                    found.append(message(
                        f"{resource.subject}: deployment_configs.{deployment}.environment_variables[{name!r}] {reason}; "
                        "Pages shows plain variables to everyone with dashboard access.",
                        limit="Pages credentials are encrypted variables",
                        source="DESIGN.md §7 (secret-looking values never plain)",
                        fix=f"move {name!r} to deployment_configs.{deployment}.secrets",
                    ))
        typed = resource.get("deployment_configs", deployment, "env_vars")
        if typed.usable and isinstance(typed.value, Mapping):
            for name, spec in typed.value.items():
                if not isinstance(spec, Mapping) or spec.get("type") == "secret_text":
                    continue
                reason = _reason(name, spec.get("value"), config)
                if reason:
                    found.append(message(
                        f"{resource.subject}: deployment_configs.{deployment}.env_vars[{name!r}] is "
                        f"{spec.get('type')!r} but {reason}.",
                        limit="Pages credentials have type secret_text",
                        source="DESIGN.md §7 (secret-looking values never plain)",
                        fix=f"set type='secret_text' for {name!r}",
                    ))
    return found


def _check_dynamic(resource: Resource, config: SecretsConfig) -> List[str]:
    found: List[str] = []
    required_inputs = SECRET_INPUTS.get(resource.type, ())
    for field_name in required_inputs:
        value = resource.get(field_name)
        # An input not known during a preview reaches the pack without its secret mark (the 3.79 SDK serializes an
        # unknown output as the bare unknown value); it is judged again during `up`, when it is known.
        if value.present and value.known and value.value is not None and not value.secret:
            found.append(message(
                f"{resource.subject}: input {field_name!r} is not a Pulumi secret, so it would be stored in plain "
                "text in the stack's state.",
                limit=f"{resource.type}.{field_name} is a secret input (resource contract)",
                source="stagecraft resource contract for dynamic providers",
                fix=f"pass {field_name} as a secret: pulumi.Output.secret(...) or a `pulumi config set --secret` value",
            ))
    missing_outputs = [o for o in SECRET_OUTPUTS.get(resource.type, ()) if o not in resource.secret_outputs]
    if missing_outputs:
        found.append(message(
            f"{resource.subject}: output(s) {', '.join(missing_outputs)} are not declared secret, so they would be "
            "stored and shown in plain text.",
            limit=f"{resource.type} declares {', '.join(SECRET_OUTPUTS[resource.type])} in additional_secret_outputs",
            source="stagecraft resource contract for dynamic providers",
            fix=f"create it with ResourceOptions(additional_secret_outputs={list(SECRET_OUTPUTS[resource.type])!r})",
        ))
    plain_env = PLAIN_ENV_FIELDS.get(resource.type)
    if plain_env:
        env = resource.get(plain_env)
        if env.usable and isinstance(env.value, Mapping):
            for name, value in env.value.items():
                public = _public(resource, f"{plain_env}[{name!r}]", name, value, config)
                if public:
                    found.append(public)
                    continue
                reason = _reason(name, value, config)
                if reason:
                    found.append(message(
                        f"{resource.subject}: {plain_env}[{name!r}] {reason}; the platform stores env values in plain "
                        "text, so marking it a Pulumi secret is not enough.",
                        limit="credentials reach the service through the platform's secrets",
                        source="shared/reference/platform-apis.md §1 (Koyeb env: value or secret reference)",
                        fix=f"create a koyeb Secret for it and map {name!r} in secret_env instead of env",
                    ))
    skip = frozenset(REFERENCE_FIELDS.get(resource.type, ()) + required_inputs + ((plain_env,) if plain_env else ()))
    for leaf in resource.leaves(skip_fields=skip):
        public = _public(resource, leaf.dotted(), leaf.name, leaf.value, config)
        if public:
            found.append(public)
            continue
        if leaf.secret:
            continue
        reason = _reason(leaf.name, leaf.value, config)
        if reason:
            found.append(message(
                f"{resource.subject}: input {leaf.dotted()} is not a Pulumi secret but {reason}; it would be stored "
                "in plain text in the stack's state.",
                limit="inputs that hold credentials are Pulumi secrets",
                source="DESIGN.md §3 and §7 (secrets are Pulumi secrets, never plain)",
                fix="wrap the value with pulumi.Output.secret(...) or read it from `pulumi config set --secret`",
            ))
    return found


def check(resource: Resource, config: SecretsConfig) -> List[str]:
    """Violation messages for one resource."""
    if resource.type == VERCEL_ENV_VAR:
        return _check_vercel_env_var(resource, config)
    if resource.type in VERCEL_VARIABLE_LISTS:
        return _check_vercel_variables(resource, VERCEL_VARIABLE_LISTS[resource.type], config)
    if resource.type in GITHUB_VARIABLES:
        return _check_github_variable(resource, config)
    if resource.type == PAGES_PROJECT:
        return _check_pages_project(resource, config)
    if is_dynamic(resource.type):
        return _check_dynamic(resource, config)
    return []


def policy() -> ResourceValidationPolicy:
    """The policy object."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = parsed_or_reported(parse_config, args.get_config(), report)
        if config is None:
            return
        for text in check(Resource.from_args(args), config):
            report(text, None)

    return ResourceValidationPolicy(name=NAME, description=DESCRIPTION, validate=validate, config_schema=SCHEMA)
