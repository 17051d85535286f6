"""Railway: the workspace's usage this billing period in dollars (`Customer.currentUsage`, GraphQL), against the
Free plan's monthly credit."""

from __future__ import annotations

from typing import Any

from providers._http import HttpClient
from providers._http.graphql import GraphQLEndpoint
from providers.railway.client import GRAPHQL_PATH, settings_from_env

from .allowances import Allowances
from .model import Reading
from .reader import Environ, Reader

WORKSPACE_VAR = "RAILWAY_WORKSPACE_ID"
"""A workspace token cannot ask for `me` (platform-apis.md §3): set this to read that workspace directly."""
_FIELDS = "id name plan customer { currentUsage billingPeriod { start end } }"
NO_API = {
    "railway.volume-gb": "a per-service ceiling Railway enforces itself, not a consumption",
    "railway.memory-gb": "a per-service ceiling Railway enforces itself, not a consumption",
    "railway.api-requests-per-hour": "Railway reports it only in the rate-limit headers of each answer",
}


def _workspaces(http: HttpClient, environ: Environ) -> list[dict[str, Any]]:
    endpoint = GraphQLEndpoint(http, GRAPHQL_PATH)
    workspace_id = environ.get(WORKSPACE_VAR, "").strip()
    if workspace_id:
        data = endpoint.call(f"query Usage($id: String!) {{ workspace(workspaceId: $id) {{ {_FIELDS} }} }}",
                             {"id": workspace_id}, operation="read usage", resource=f"workspace {workspace_id}")
        return [data["workspace"]]
    data = endpoint.call(f"query Usage {{ me {{ workspaces {{ {_FIELDS} }} }} }}", {}, operation="read usage",
                         resource="workspaces of the token's user")
    return list(data["me"]["workspaces"])


def read(http: HttpClient, allowances: Allowances, environ: Environ) -> tuple[list[Reading], dict[str, str]]:
    """Dollars used this period by each Free-plan workspace."""
    readings, reasons = [], {}
    for workspace in _workspaces(http, environ):
        scope = f"workspace {workspace.get('name') or workspace['id']}"
        if workspace.get("plan") != "FREE":
            reasons["railway.usage-usd"] = (f"{scope} is on the {workspace.get('plan')} plan; the limits table holds the "
                                            f"Free plan's credit")
            continue
        used = float((workspace.get("customer") or {}).get("currentUsage") or 0)
        readings.append(allowances.reading("railway.usage-usd", used, scope))
    return readings, reasons


READER = Reader("railway", settings_from_env, read, NO_API)
