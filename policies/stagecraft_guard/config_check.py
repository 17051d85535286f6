"""Check per-stack policy config files against the pack's own schema, offline.

``pulumi policy validate-config`` needs a Pulumi Cloud organisation that has the pack published, so it cannot
run with a local file backend. This check does what it would, and a little more:

1. every key is a policy of this pack or ``all``, with a valid enforcement level;
2. each policy's settings validate against the JSON schema the policy declares to the engine (with unknown
   settings refused, which the engine itself would let through);
3. each policy's strict parser accepts them (the same parser the rules use at run time);
4. across files: the ``production`` flag agrees between the policies that carry it, ``pr.json`` has budget 0,
   and the budgets of the counted environments add up to at most the project cap.

The engine also validates a file given to ``--policy-pack-config`` against the declared schemas before any
preview or update (``tests/policy/test_guard_engine.py`` runs it on every file here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from pulumi_policy import Policy

from . import pack
from .catalog import Catalog, default_catalog
from .options import ConfigError
from .stack_config import CONFIG_DIR, PR_CONFIG, StackConfigError, budget_of, load_file

LEVELS = ["advisory", "mandatory", "disabled"]


def policy_json_schema(policy: Policy) -> Dict[str, Any]:
    """The JSON schema the engine builds for a policy's settings, plus ``additionalProperties: false``."""
    properties: Dict[str, Any] = {"enforcementLevel": {"type": "string", "enum": LEVELS}}
    required: List[str] = []
    if policy.config_schema is not None:
        properties.update(policy.config_schema.properties)
        required = list(policy.config_schema.required or [])
    schema: Dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def check_content(label: str, content: Mapping[str, Any], policies: List[Policy], catalog: Catalog) -> List[str]:
    """Problems in one file's content (empty list: valid)."""
    from jsonschema import Draft7Validator  # only this offline check needs jsonschema

    problems: List[str] = []
    by_name = {p.name: p for p in policies}
    parsers = pack.config_parsers(catalog)
    for key, value in content.items():
        if key == "all":
            if value not in LEVELS:
                problems.append(f"{label}: all: {value!r} is not one of {LEVELS}")
            continue
        policy = by_name.get(key)
        if policy is None:
            problems.append(f"{label}: {key!r} is not a policy of this pack (policies: {', '.join(sorted(by_name))})")
            continue
        if isinstance(value, str):
            if value not in LEVELS:
                problems.append(f"{label}: {key}: {value!r} is not one of {LEVELS}")
            continue
        if not isinstance(value, Mapping):
            problems.append(f"{label}: {key}: must be an enforcement level or an object")
            continue
        validator = Draft7Validator(policy_json_schema(policy))
        for error in sorted(validator.iter_errors(dict(value)), key=lambda e: list(e.path)):
            where = ".".join(str(p) for p in error.path)
            problems.append(f"{label}: {key}{'.' + where if where else ''}: {error.message}")
        settings = {k: v for k, v in value.items() if k != "enforcementLevel"}
        if key in parsers:
            try:
                parsers[key](settings)
            except ConfigError as exc:
                problems.append(f"{label}: {exc}")
    return problems


def _production_flag(content: Mapping[str, Any]) -> Dict[str, Optional[bool]]:
    flags: Dict[str, Optional[bool]] = {}
    for name in pack.PRODUCTION_FLAG_POLICIES:
        section = content.get(name)
        flags[name] = section.get("production") if isinstance(section, Mapping) else None
    return flags


def check_directory(directory: Path = CONFIG_DIR, catalog: Optional[Catalog] = None) -> List[str]:
    """Problems across all config files in ``directory`` (empty list: all valid)."""
    catalog = catalog or default_catalog()
    policies = pack.policies(catalog)
    problems: List[str] = []
    contents: Dict[str, Mapping[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            contents[path.stem] = load_file(path)
        except StackConfigError as exc:
            problems.append(str(exc))
            continue
        problems += check_content(path.name, contents[path.stem], policies, catalog)
    for stem, content in contents.items():
        flags = _production_flag(content)
        if len({v for v in flags.values() if v is not None}) > 1:
            shown = ", ".join(f"{k}={v}" for k, v in flags.items())
            problems.append(f"{stem}.json: the production flag differs between policies ({shown}); set it the same")
        if stem == "production" and any(v is False for v in flags.values()):
            problems.append("production.json: production is false somewhere; the production stack is production")
    if PR_CONFIG in contents and budget_of(contents[PR_CONFIG]) > 0:
        problems.append(f"{PR_CONFIG}.json: monthly-budget.budgetUsd must be 0 (pr-<n> stacks are unbounded in number)")
    counted = {s: budget_of(contents[s]) for s in catalog.budget.counted_stacks if s in contents}
    total = round(sum(counted.values()), 2)
    if total > catalog.budget.all_environments_monthly_usd:
        problems.append(f"budgets of {', '.join(f'{k} ${v:.2f}' for k, v in counted.items())} add up to ${total:.2f}, "
                        f"over the cap ${catalog.budget.all_environments_monthly_usd:.2f} ({catalog.budget.source})")
    missing = [s for s in catalog.budget.counted_stacks if s not in contents]
    if missing:
        problems.append(f"no config file for stack(s) {', '.join(missing)} in {directory}")
    return problems
