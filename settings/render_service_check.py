"""Preflight for Render: the dashboard-made web service the config names must exist, run an image, and sit in the
stack's Render region, before anything is registered (DESIGN §3: bad input fails before anything changes).

Only the API can tell, so this asks it (`GET /v1/services/{id}` with RENDER_API_KEY); without the key the credential
check of `settings.preflight` already reports what is missing.
"""

from __future__ import annotations

from typing import Mapping

from providers._http import NotFound, ProviderError
from providers.render import client as render_client
from settings.load import NAMESPACE
from settings.models import StackSettings


def render_service_problems(settings: StackSettings, environ: Mapping[str, str]) -> list[str]:
    """What is wrong with `backend.render.serviceId`, each with the key and the fix; [] when it is fine."""
    backend = settings.backend
    if backend.platform != "render" or backend.render is None or backend.render.service_id is None:
        return []
    if not environ.get(render_client.KEY_VAR) or settings.render is None:
        return []
    service_id = backend.render.service_id
    key = f"{NAMESPACE}:backend.render.serviceId"
    # The service is made in the dashboard first (New > Web Service > Existing image); its id is in its URL.
    fix = f"pulumi config set --path '{key}' '<srv-... id from the dashboard URL>' -s {settings.stack}"
    try:
        with render_client.RenderClient.from_env(environ) as render:
            service = render.get_service(service_id)
    except NotFound:
        return [f"{key}: there is no service {service_id} in the Render workspace that RENDER_API_KEY reaches. "
                f"Fix: {fix}. Nothing was changed."]
    except ProviderError as exc:
        return [f"{key}: Render could not be asked about service {service_id}: {exc}. Nothing was changed."]
    details = service.get("serviceDetails") or {}
    if service.get("type") != "web_service" or details.get("runtime") != "image":
        return [f"{key}: {service_id} ({service.get('name')}) is a {service.get('type')} running "
                f"{details.get('runtime')!r}, not a web service from a container image. Fix: {fix}. Nothing was "
                f"changed."]
    if details.get("region") != settings.render.region:
        return [f"{NAMESPACE}:render.region: is {settings.render.region!r}, but service {service_id} runs in "
                f"{details.get('region')!r}, and the Key Value cache must share its region. Fix: pulumi config set "
                f"--path '{NAMESPACE}:render.region' {details.get('region')} -s {settings.stack}. Nothing was changed."]
    return []
