"""Assemble stagecraft's policy pack (see README.md). Rules live in stagecraft_guard/, limits in limits/."""

from pulumi_policy import EnforcementLevel, PolicyPack

from stagecraft_guard import envelope, pack

envelope.install()

PolicyPack(
    name=pack.NAME,
    policies=pack.policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    initial_config=pack.stack_initial_config(),
)
