"""Triggering a Render deploy and waiting until it is live, as Render answers it.

`POST /services/{id}/deploys` answers 201 with the deploy, or 202 with no body when another deploy is in progress
and Render queued ours (spec; the Terraform provider's cassettes show both). A queued deploy is found the way
render-oss/cli does (`deploycreate.go` `WaitForDeployCreate`): the newest deploy listed with `status=queued`.
A trigger whose answer was lost is looked up among the deploys that did not exist before it was sent, before it is
sent again, so one `up` makes one deploy.

The wait ends when the deploy is `live` (or `deactivated`: it went live and a newer deploy followed, which
render-oss/cli `IsSuccessful` counts as success), and fails on `build_failed`, `update_failed`,
`pre_deploy_failed` or `canceled` with that status; the service keeps serving its previous deploy.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Optional

from .._http import ResourceFailed, ServerError, TransportError, wait_until
from .client import API, RenderClient

SUCCEEDED = frozenset({"live", "deactivated"})
FAILED = frozenset({"build_failed", "update_failed", "pre_deploy_failed", "canceled"})
RECENT = 10
"""How many of the newest deploys are compared before and after a trigger."""


class DeployFailed(ResourceFailed):
    """A deploy ended in a failed status; the previous deploy keeps serving."""


def deploy_and_wait(render: RenderClient, service: Mapping[str, Any], *,
                    sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Trigger one deploy of the service's current configuration and wait until it is live; the deploy."""
    deploy = trigger(render, str(service["id"]), sleep=sleep)
    return wait_live(render, service, str(deploy["id"]))


def trigger(render: RenderClient, service_id: str, *, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Send one deploy trigger (again only when the last one provably did nothing); the deploy it made.

    The deploys that exist before the trigger are noted first, so a deploy found afterwards is the new one.
    """
    timing = render.timing
    before = {d["id"] for d in render.list_deploys(service_id, limit=RECENT)}
    for attempt in range(1, timing.max_attempts + 1):
        try:
            deploy = render.create_deploy(service_id)
        except (TransportError, ServerError) as exc:
            if isinstance(exc, TransportError) and not exc.maybe_applied:
                raise
            found = _new(render.list_deploys(service_id, limit=RECENT), before)
            if found is not None:
                return found
            if attempt == timing.max_attempts:
                raise
            sleep(timing.base_delay * timing.scale * attempt)
            continue
        if deploy is not None:
            return deploy
        return _queued(render, service_id, before)
    raise AssertionError("unreachable")


def wait_live(render: RenderClient, service: Mapping[str, Any], deploy_id: str) -> dict[str, Any]:
    """Poll the deploy until it ends; the deploy when it went live, else ``DeployFailed``."""
    service_id = str(service["id"])

    def classify(deploy: Mapping[str, Any]) -> tuple[str, str]:
        status = str(deploy.get("status"))
        if status in FAILED:
            return "failed", status
        return ("ready" if status in SUCCEEDED else "pending"), status

    name = service.get("name") or service_id
    try:
        return wait_until(lambda: render.get_deploy(service_id, deploy_id), classify, api=API,
                          what=f"deploy {deploy_id} of service {name!r}", timing=render.timing)
    except ResourceFailed as exc:
        status = str(exc).rsplit(": ", 1)[-1]
        raise DeployFailed(
            f"{API}: deploy {deploy_id} of service {name!r} ended {status}; the service keeps serving its previous "
            f"deploy. Its logs: {service.get('dashboardUrl') or 'https://dashboard.render.com'}/deploys/{deploy_id}"
        ) from None


def _queued(render: RenderClient, service_id: str, before: set[str]) -> dict[str, Any]:
    """The deploy Render queued for us (202): the newest queued one that did not exist before the trigger."""
    def fetch() -> Optional[dict[str, Any]]:
        return _new(render.list_deploys(service_id, status="queued", limit=1), before) \
            or _new(render.list_deploys(service_id, limit=RECENT), before)

    return wait_until(fetch, lambda d: ("ready", "listed") if d else ("pending", "not listed yet"), api=API,
                      what=f"the deploy Render queued for service {service_id}", timing=render.timing)


def _new(deploys: list[dict[str, Any]], before: set[str]) -> Optional[dict[str, Any]]:
    """The newest deploy of ``deploys`` (newest first) that is not one of ``before``."""
    return next((d for d in deploys if d.get("id") not in before), None)
