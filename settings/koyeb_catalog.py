"""Koyeb's instance types and where each runs, for the backend's web service (refused here, naming the key, rather
than by Koyeb's API halfway through an update).

Source: Koyeb's own catalog (`GET /v1/catalog/regions`, each region with its instance types) as captured on
2026-02-12 in koyeb/koyeb-skills `plugins/koyeb/skills/_shared/references/koyeb-regions-instance-types.md`
(commit a0b9246b), and platform-apis.md §1 (the free instance: fra or was, one instance, web only). Database
(`database-*`) and GPU types are left out: the backend is a CPU web service.
"""

from __future__ import annotations

STANDARD = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "5xlarge")
ECO = ("eco-nano", "eco-micro", "eco-small", "eco-medium", "eco-large", "eco-xlarge", "eco-2xlarge")
FREE = "free"
INSTANCE_TYPES = (FREE, *STANDARD, *ECO)

REGIONS = ("fra", "was", "sin", "par", "sfo", "tyo", "eu", "na", "ap")
"""Regions that run web-service instance types (dal, dsm, mci and rdu run only database or GPU types)."""

_RUNS_IN = {FREE: ("fra", "was"), **{eco: ("fra", "sin", "was") for eco in ECO}}
"""Instance types that only some regions offer; the standard types run in every region above."""

FREE_MAX_SCALE = 1
"""One free instance per organization (platform-apis.md §1)."""


def regions_for(instance_type: str) -> tuple[str, ...]:
    """The regions that offer `instance_type`."""
    return _RUNS_IN.get(instance_type, REGIONS)
