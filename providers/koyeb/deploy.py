"""Starting a Koyeb deployment exactly once, and waiting until Koyeb runs it or says why it cannot.

How Koyeb behaves (koyeb.com/docs/reference/deployments, koyeb-cli, koyeb/control-panel):
- every accepted ``PATCH /v1/services/{id}`` with a definition is one new deployment, so the request is not
  retried blindly: after an ambiguous failure the service's latest deployment is checked first;
- the running deployment keeps serving until the new one is healthy, then the new one becomes the service's
  ``active_deployment_id``;
- a deployment ends in ERROR, ERRORING, CANCELED, STOPPED, DEGRADED or UNHEALTHY when it fails (the statuses
  koyeb-cli's ``services update --wait`` stops on) and says why in ``messages``; PENDING, PROVISIONING,
  SCHEDULED, ALLOCATING and STARTING are on the way (the control panel's "upcoming" statuses); HEALTHY is
  done, and SLEEPING (scaled to zero) too.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping, Optional

from .._http import Claim, NotFound, ResourceFailed, create_owned, parse_timestamp, wait_until
from .._http.converge import CLOCK_SKEW_ALLOWANCE
from .client import API, KoyebClient
from .definition import same_settings

RUNNING = frozenset({"HEALTHY", "SLEEPING"})
FAILED = frozenset({"ERROR", "ERRORING", "CANCELED", "CANCELING", "STOPPED", "STOPPING", "DEGRADED", "UNHEALTHY"})


class DeploymentFailed(ResourceFailed):
    """A deployment of ours ended in a failed state; the message carries Koyeb's reason."""


def deploy_definition(koyeb: KoyebClient, service_id: str, service_name: str, definition: dict[str, Any]) -> str:
    """Start one deployment of ``definition`` on the service; return its id.

    An update that fails ambiguously (dropped after sending, a 5xx) may still have been applied: the service's
    latest deployment counts as ours when it runs these settings and was created after the first attempt was
    sent; otherwise the update is sent again (bounded by the retry budget).
    """
    first_sent = datetime.now(timezone.utc)

    def made_by_this_call() -> Optional[dict[str, Any]]:
        latest = latest_deployment(koyeb, koyeb.get_service(service_id))
        created = parse_timestamp((latest or {}).get("created_at"))
        if latest is None or created is None or created < first_sent - CLOCK_SKEW_ALLOWANCE:
            return None
        return latest if same_settings(latest.get("definition"), definition) else None

    deployment, _ = create_owned(
        lambda: {"id": koyeb.update_service(service_id, definition)["latest_deployment_id"]},
        made_by_this_call,
        # Only a deployment this very call made is ever found, so no ownership question arises.
        claim=Claim(api=API, kind="deployment", name=service_name, owner="", resolve=""),
        timing=koyeb.timing,
        proves_ownership=lambda _found: True,
        name_taken=lambda _exc: False,
    )
    return str(deployment["id"])


def latest_deployment(koyeb: KoyebClient, service: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    """The service's most recently requested deployment (the active one when it has no other), or None."""
    return _deployment(koyeb, service.get("latest_deployment_id") or service.get("active_deployment_id"))


def active_deployment(koyeb: KoyebClient, service: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    """The deployment the service is serving from, or None when nothing serves."""
    return _deployment(koyeb, service.get("active_deployment_id"))


def _deployment(koyeb: KoyebClient, deployment_id: Optional[str]) -> Optional[dict[str, Any]]:
    if not deployment_id:
        return None
    try:
        return koyeb.get_deployment(deployment_id)
    except NotFound:
        return None


def wait_until_active(
    koyeb: KoyebClient, service_id: str, service_name: str, deployment_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Wait (bounded) until ``deployment_id`` runs and is the service's active deployment; return both.

    Raises:
        DeploymentFailed: the deployment failed; the message has Koyeb's reason and what still serves.
        WaitTimeout: it was still on its way when the wait ran out.
    """

    def fetch() -> tuple[dict[str, Any], Optional[dict[str, Any]]]:
        deployment = koyeb.get_deployment(deployment_id)
        running = deployment.get("status") in RUNNING
        return deployment, koyeb.get_service(service_id) if running else None

    def settled(current: tuple[dict[str, Any], Optional[dict[str, Any]]]) -> tuple[str, str]:
        deployment, service = current
        status = str(deployment.get("status"))
        if status in FAILED:
            return "ready", status  # settled: reported below with Koyeb's reason
        if status in RUNNING and service is not None and service.get("active_deployment_id") == deployment_id:
            return "ready", status
        if status in RUNNING:
            return "pending", f"deployment {status}, not yet the service's active deployment"
        return "pending", f"deployment {status}"

    deployment, service = wait_until(
        fetch, settled, api=API, what=f'deployment {deployment_id} of service "{service_name}"', timing=koyeb.timing
    )
    if deployment.get("status") in FAILED:
        raise DeploymentFailed(_failure_message(koyeb, service_id, service_name, deployment))
    assert service is not None
    return service, deployment


def _failure_message(koyeb: KoyebClient, service_id: str, service_name: str, deployment: Mapping[str, Any]) -> str:
    image = ((deployment.get("definition") or {}).get("docker") or {}).get("image", "?")
    reason = "; ".join(str(m) for m in deployment.get("messages") or []) or "Koyeb gave no reason"
    serving = active_deployment(koyeb, koyeb.get_service(service_id))
    if serving is not None and serving.get("id") != deployment.get("id"):
        old_image = ((serving.get("definition") or {}).get("docker") or {}).get("image", "?")
        still = f"The service keeps serving its active deployment {serving['id']} ({old_image})."
    else:
        still = "Nothing of this service is serving: it has no active deployment."
    short = str(deployment.get("id", ""))[:8]
    return (
        f'{API}: deployment {deployment.get("id")} of service "{service_name}" ({image}) failed with status '
        f"{deployment.get('status')}: {reason}. {still} See why with `koyeb deployment logs {short}`, fix the "
        "image or the settings, then run pulumi up again."
    )
