"""The pack's name, its policies and the initial config for the stack it runs on."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional

from pulumi_policy import Policy

from . import stack as stack_mod
from .catalog import Catalog, default_catalog
from .rules import approval, budget, coverage, free_tier_plan, free_tier_quota, gate, isolation, protection, secrets
from .stack_config import initial_config

NAME = "stagecraft-guard"
"""The policy pack's name as the engine reports it."""


def policies(catalog: Optional[Catalog] = None, env: Optional[Mapping[str, str]] = None) -> List[Policy]:
    """Every policy of the pack, in the order they are reported."""
    catalog = catalog or default_catalog()
    return [
        free_tier_plan.policy(catalog, env),
        free_tier_quota.policy(catalog, env),
        budget.policy(catalog, env),
        approval.policy(env),
        approval.notice_policy(env),
        gate.policy(),
        secrets.policy(),
        isolation.policy(catalog, env),
        protection.policy(catalog, env),
        coverage.policy(catalog),
    ]


def config_parsers(catalog: Optional[Catalog] = None) -> Dict[str, Callable[[Optional[Mapping[str, Any]]], Any]]:
    """Each configurable policy's strict config parser, by policy name."""
    catalog = catalog or default_catalog()
    return {
        free_tier_plan.NAME: lambda raw: free_tier_plan.parse_config(catalog, raw),
        free_tier_quota.NAME: lambda raw: free_tier_quota.parse_config(catalog, raw),
        budget.NAME: lambda raw: budget.parse_config(catalog, raw),
        approval.NAME: approval.parse_config,
        approval.NOTICE_NAME: approval.parse_notice_config,
        gate.NAME: gate.parse_config,
        secrets.NAME: secrets.parse_config,
        isolation.NAME: isolation.parse_config,
        protection.NAME: protection.parse_config,
    }


PRODUCTION_FLAG_POLICIES = (approval.NAME, approval.NOTICE_NAME, isolation.NAME, protection.NAME)
"""Policies that each carry the stack's ``production`` flag; a config file must set it the same in all."""


def stack_initial_config(env: Optional[Mapping[str, str]] = None) -> Optional[Dict[str, Any]]:
    """The config file of the stack the engine runs the pack on, as pulumi-policy's ``initial_config``."""
    return initial_config(stack_mod.current(env).name)
