"""A Render web service running a container image (``pulumi-python:dynamic/render:Service``).

Render's API does not create free web services (render-oss/terraform-provider-render issue #44; the spec's
`paidPlan`), so the service comes one of two ways:

- **made in the dashboard** (`service_id` given, the free plan): stagecraft manages it from then on: its image,
  its health check path and its whole env var set (Render replaces the set as a whole, `PUT .../env-vars`), and
  every deploy. What the service was configured with before is kept (secret) in state, and `destroy` puts it
  back and leaves the service in place: it was not made here, so it is never deleted here. A take-over whose
  first deploy fails puts it back at once (nothing of a failed create reaches the state);
- **made through the API** on a paid plan (`service_id` not given): created, managed and deleted here.

Either way the env var set carries ``STAGECRAFT_OWNER=<project>/<stack>`` (a service another stack manages is
refused) and ``PORT`` (where Render sends web traffic). Render starts no deploy when its configuration changes,
so every change is followed by one deploy (`deploys.py`), waited for until live; a failed deploy fails `up` with
its status while the previous one keeps serving.

State holds the inputs as the service reports them, the id of our last live deploy and the service URL; nothing
that Render changes on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    CheckedArgs,
    ForeignResource,
    InputReader,
    NotFound,
    ProviderError,
    changed_fields,
    create_owned,
    diff_props,
    is_unknown,
    parse_timestamp,
)
from .catalog import OWNER_ID, PAID_PLANS, REGIONS, SERVICE_ID
from .client import API, RenderClient
from .deploys import deploy_and_wait, wait_live
from .ownership import OWNER_ENV, OWNER_HINT, OWNER_PATTERN, PORT_ENV, RESERVED_ENV, service_claim

FIELDS = ("owner_id", "service_id", "name", "owner", "image", "region", "plan", "health_check_path", "port", "env",
          "secret_env")
IMMUTABLE = ("owner_id", "service_id", "region")
MUTABLE = tuple(f for f in FIELDS if f not in IMMUTABLE)
CONFIG_FIELDS = ("image", "health_check_path", "name", "plan")
ENV_FIELDS = ("owner", "port", "env", "secret_env")
ENV_KEY = r"[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True)
class ServiceArgs(CheckedArgs):
    """Inputs of a Render web service."""

    KIND = "render:Service"

    owner_id: pulumi.Input[str]
    """Render workspace id (`tea-...` or `usr-...`). Changing it replaces."""
    owner: pulumi.Input[str]
    """The stack that manages the service, ``"<project>/<stack>"``; set as the env var ``STAGECRAFT_OWNER``."""
    image: pulumi.Input[str]
    """Image the service runs, e.g. ``ghcr.io/acme/api:1.4.2``."""
    region: pulumi.Input[str]
    """Render region (`oregon`, `ohio`, `virginia`, `frankfurt`, `singapore`); a dashboard-made service's own."""
    health_check_path: pulumi.Input[str]
    """Path Render probes before a deploy goes live, e.g. ``/api/health``."""
    port: pulumi.Input[int]
    """Port the container listens on; set as ``PORT`` (Render sends web traffic there)."""
    service_id: Optional[pulumi.Input[str]] = None
    """A service made in the Render dashboard (`srv-...`, the free plan) to manage; None: create a paid one."""
    name: Optional[pulumi.Input[str]] = None
    """Name of a service made here (the physical name; renamed in place); None with ``service_id``, whose
    dashboard-made service keeps its own name (``service_name``)."""
    plan: pulumi.Input[str] = "free"
    """The service's plan: a dashboard-made service's own (checked, `free` normally); for a service made here a
    paid one (`starter`, ...: the API makes no free web service). The policy pack prices it."""
    env: pulumi.Input[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Plain env vars, name -> value."""
    secret_env: pulumi.Input[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Secret env vars, name -> value (pass Pulumi secrets; kept secret in state)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids, names, the region, the plan rule and the env var names."""
        env_hint = "use letters, digits and _, starting with a letter or _"
        values = {
            "owner_id": reader.string("owner_id", example='"tea-cn1234567890abcdefg"', pattern=OWNER_ID,
                                      pattern_hint="a Render workspace id is tea-/usr- and 20 characters"),
            "service_id": reader.string("service_id", required=False, example='"srv-cn1234567890abcdefg"',
                                        pattern=SERVICE_ID, pattern_hint="a Render service id is srv- and 20 "
                                        "characters (the dashboard URL .../web/srv-...)"),
            "name": reader.string("name", required=False, example='"stagecraft-beta-api"', max_length=255),
            "owner": reader.string("owner", example='"stagecraft/beta"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
            "image": reader.string("image", example='"ghcr.io/acme/api:1.0.0"', pattern=r"\S+",
                                   pattern_hint="an image reference without spaces"),
            "region": reader.string("region", example='"oregon"', choices=REGIONS),
            "plan": reader.string("plan", example='"free"', choices=("free", *PAID_PLANS)),
            "health_check_path": reader.string("health_check_path", example='"/api/health"', pattern=r"/\S*",
                                               pattern_hint='an absolute path such as "/api/health"'),
            "port": reader.integer("port", example="8000", minimum=1, maximum=65535),
            "env": reader.string_map("env", key_pattern=ENV_KEY, key_hint=env_hint),
            "secret_env": reader.string_map("secret_env", key_pattern=ENV_KEY, key_hint=env_hint),
        }
        _check_relations(reader, values)
        return values


def _check_relations(reader: InputReader, v: dict[str, Any]) -> None:
    known = lambda *names: all(v.get(n) is not None and not is_unknown(v.get(n)) for n in names)  # noqa: E731
    if known("env", "secret_env"):
        both = sorted(set(v["env"]) & set(v["secret_env"]))
        if both:
            reader.fail("secret_env", f"{', '.join(both)} also set in env; keep each variable in one of the two")
        reserved = sorted((set(v["env"]) | set(v["secret_env"])) & set(RESERVED_ENV))
        if reserved:
            reader.fail("env", f"{', '.join(reserved)} is set by the provider itself (owner marker, port)")
    service_id, plan, name = (reader.props.get(k) for k in ("service_id", "plan", "name"))
    if service_id is None and plan == "free":
        reader.fail("plan", "must be a paid plan for a service made through the API, which makes no free web service "
                            f"({', '.join(PAID_PLANS)}); a free service is made in the dashboard and given as service_id")
    if service_id is None and name is None:
        reader.fail("name", "is required for a service made through the API")
    if service_id is not None and name is not None:
        reader.fail("name", "must be unset with service_id: a dashboard-made service keeps its own name")


def env_set(args: ServiceArgs) -> dict[str, str]:
    """The whole env var set the service gets: ours, the owner marker and PORT."""
    return {**args.env, **args.secret_env, OWNER_ENV: args.owner, PORT_ENV: str(args.port)}


def _to_outs(service: Mapping[str, Any], values: Mapping[str, str], desired: Mapping[str, Any], deploy_id: str,
             restore: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """State: the settings the service has (its env split as the inputs split it), our deploy, URL, restore data."""
    details = service.get("serviceDetails") or {}
    plain_keys = set((desired.get("env") or {}).keys())
    rest = {k: v for k, v in values.items() if k not in RESERVED_ENV}
    port = values.get(PORT_ENV, "")
    made_here = desired.get("service_id") is None
    return {
        "owner_id": service.get("ownerId") or desired.get("owner_id"),
        "service_id": desired.get("service_id"),
        "name": service.get("name") if made_here else None,
        "service_name": service.get("name"),
        "owner": values.get(OWNER_ENV),
        "image": service.get("imagePath"),
        "region": details.get("region") or desired.get("region"),
        "plan": details.get("plan") or desired.get("plan"),
        "health_check_path": details.get("healthCheckPath") or None,
        "port": int(port) if port.isdigit() else None,
        "env": {k: v for k, v in rest.items() if k in plain_keys},
        # Anything else in the set is kept secret: a variable added in the dashboard may hold a credential.
        "secret_env": {k: v for k, v in rest.items() if k not in plain_keys},
        "deploy_id": deploy_id,
        "url": details.get("url"),
        "restore": dict(restore) if restore else None,
    }


class ServiceProvider(ResourceProvider):
    """CRUD for Render web services. Credentials come from RENDER_API_KEY / RENDER_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return ServiceArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: ServiceArgs = ServiceArgs.from_props(props)
        with RenderClient.from_env() as render:
            if args.service_id:
                service, restore = _take_over(render, args)
                try:
                    _configure(render, service["id"], args)
                    deploy = deploy_and_wait(render, render.get_service(service["id"]))
                except Exception:
                    # Nothing of this create reaches the state, so the next up would find the service marked as
                    # ours and keep no record of its own settings: they are put back now, while they are known.
                    if restore is not None:
                        _put_back(render, service["id"], restore)
                    raise
            else:
                service, deploy, restore = _create_paid(render, args)
            return CreateResult(str(service["id"]), _state(render, str(service["id"]), props, deploy, restore))

    def read(self, id_: str, props: Any) -> ReadResult:
        with RenderClient.from_env() as render:
            try:
                service = render.get_service(id_)
                values = render.get_env_vars(id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(service, values, props, str(props.get("deploy_id") or ""),
                                        props.get("restore")))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: ServiceArgs = ServiceArgs.from_props(news)
        with RenderClient.from_env() as render:
            changed = changed_fields(olds, news, MUTABLE)
            deploy_id = str(olds.get("deploy_id") or "")
            if changed:
                _configure(render, id_, args, config=bool(set(changed) & set(CONFIG_FIELDS)),
                           env=bool(set(changed) & set(ENV_FIELDS)), plan_change="plan" in changed)
                deploy_id = str(deploy_and_wait(render, render.get_service(id_))["id"])
            return UpdateResult(_state(render, id_, news, {"id": deploy_id}, olds.get("restore")))

    def delete(self, id_: str, props: Any) -> None:
        with RenderClient.from_env() as render:
            try:
                if props.get("service_id"):
                    _give_back(render, id_, props)
                else:
                    render.delete_service(id_)
            except NotFound:
                return


def _take_over(render: RenderClient, args: ServiceArgs) -> tuple[dict[str, Any], Optional[dict[str, Any]]]:
    """The dashboard-made service, checked, and what to put back on destroy (None when it was ours already)."""
    try:
        service = render.get_service(str(args.service_id))
    except NotFound:
        raise ProviderError(
            f"{API}: there is no service {args.service_id} in the workspace this RENDER_API_KEY reaches; create the "
            f"free web service in the Render dashboard (New > Web Service > Existing image) and give its id "
            f"(srv-..., in its dashboard URL)") from None
    details = service.get("serviceDetails") or {}
    if service.get("type") != "web_service" or details.get("runtime") != "image":
        raise ProviderError(
            f"{API}: service {args.service_id} is a {service.get('type')} running {details.get('runtime')!r}, not a "
            f"web service from a container image; make one in the dashboard (New > Web Service > Existing image)")
    if details.get("plan") != args.plan:
        raise ProviderError(
            f"{API}: service {args.service_id} is on plan {details.get('plan')!r}, not {args.plan!r}; state the plan it "
            f"has (the policy pack prices it), or change it in the dashboard")
    if details.get("region") != args.region:
        raise ProviderError(
            f"{API}: service {args.service_id} runs in {details.get('region')}, not {args.region}; the stack's Render "
            f"resources must share the service's region (its Key Value is reached over Render's private network)")
    values = render.get_env_vars(str(args.service_id))
    manager = values.get(OWNER_ENV)
    if manager is not None and manager != args.owner:
        raise ForeignResource(
            f"{API}: web service {args.service_id} ({service.get('name')}) is managed by stack {manager}, so stack "
            f"{args.owner} left it untouched. {service_claim(str(service.get('name')), args.owner).resolve}")
    restore = None if manager == args.owner else {
        "image": service.get("imagePath"), "health_check_path": details.get("healthCheckPath") or "", "env": values}
    return service, restore


def _create_paid(render: RenderClient, args: ServiceArgs):
    body = {
        "type": "web_service", "name": args.name, "ownerId": args.owner_id, "autoDeploy": "no",
        "image": {"ownerId": args.owner_id, "imagePath": args.image},
        "envVars": [{"key": k, "value": v} for k, v in sorted(env_set(args).items())],
        "serviceDetails": {"runtime": "image", "plan": args.plan, "region": args.region,
                           "healthCheckPath": args.health_check_path, "numInstances": 1},
    }
    reply, _adopted = create_owned(
        lambda: render.create_service(body),
        lambda: _ours_by_name(render, args),
        claim=service_claim(str(args.name), str(args.owner)), timing=render.timing,
        proves_ownership=lambda found: render.get_env_vars(found["service"]["id"]).get(OWNER_ENV) == args.owner,
        created_at=lambda found: parse_timestamp((found.get("service") or {}).get("createdAt")),
    )
    service = reply["service"]
    deploy = wait_live(render, service, str(reply["deployId"])) if reply.get("deployId") \
        else deploy_and_wait(render, service)
    return service, deploy, None


def _ours_by_name(render: RenderClient, args: ServiceArgs) -> Optional[dict[str, Any]]:
    """A same-named service of the workspace, as `{service, deployId}` (deploy unknown), preferring one of ours."""
    found = render.find_services(str(args.name), str(args.owner_id))
    for service in found:
        if render.get_env_vars(service["id"]).get(OWNER_ENV) == args.owner:
            return {"service": service, "deployId": None}
    return {"service": found[-1], "deployId": None} if found else None


def _configure(render: RenderClient, service_id: str, args: ServiceArgs, *, config: bool = True,
               env: bool = True, plan_change: bool = False) -> None:
    """Send the image/health check/name/plan (PATCH) and the whole env var set (PUT); no deploy yet."""
    if config:
        details: dict[str, Any] = {"healthCheckPath": args.health_check_path}
        body: dict[str, Any] = {"image": {"ownerId": args.owner_id, "imagePath": args.image}, "serviceDetails": details}
        if not args.service_id:
            body["name"] = args.name
        if plan_change:
            if args.plan == "free":
                raise ProviderError(f"{API}: service {service_id} cannot be moved to the free plan through the API "
                                    f"(it sets paid plans only); change it in the dashboard")
            details["plan"] = args.plan
        render.update_service(service_id, body)
    if env:
        render.replace_env_vars(service_id, env_set(args))


def _give_back(render: RenderClient, service_id: str, props: Mapping[str, Any]) -> None:
    """Put a dashboard-made service's own settings back and leave it in place (never deleted here)."""
    restore = props.get("restore") or {}
    service = render.get_service(service_id)
    if restore:
        _put_back(render, service_id, restore)
    else:
        ours = {*RESERVED_ENV, *(props.get("env") or {}), *(props.get("secret_env") or {})}
        values = render.get_env_vars(service_id)
        render.replace_env_vars(service_id, {k: v for k, v in values.items() if k not in ours})
    pulumi.log.warn(
        f"{API}: web service {service_id} ({service.get('name')}) was made in the Render dashboard, so destroy left "
        f"it in place, unmanaged, with the settings it had before stagecraft (they take effect at its next deploy); "
        f"delete it in the dashboard if it is no longer wanted")


def _put_back(render: RenderClient, service_id: str, restore: Mapping[str, Any]) -> None:
    """Give a dashboard-made service the image, health check path and env var set it had before stagecraft."""
    service = render.get_service(service_id)
    render.update_service(service_id, {
        "image": {"ownerId": service.get("ownerId"), "imagePath": restore.get("image")},
        "serviceDetails": {"healthCheckPath": restore.get("health_check_path") or ""}})
    render.replace_env_vars(service_id, restore.get("env") or {})


def _state(render: RenderClient, service_id: str, props: Mapping[str, Any], deploy: Mapping[str, Any],
           restore: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    service = render.get_service(service_id)
    return _to_outs(service, render.get_env_vars(service_id), props, str(deploy.get("id") or ""), restore)


class Service(pulumi.dynamic.Resource, module="render", name="Service"):
    """A Render web service from an image. ``id`` is the service id (`srv-...`).

    Outputs add to the inputs: ``service_name``, ``deploy_id`` (our last deploy that went live), ``url``
    (`https://<slug>.onrender.com`) and ``restore`` (secret: a dashboard-made service's own settings, put back by ``destroy``).
    """

    owner_id: pulumi.Output[str]
    service_id: pulumi.Output[Optional[str]]
    name: pulumi.Output[Optional[str]]
    service_name: pulumi.Output[str]
    owner: pulumi.Output[str]
    image: pulumi.Output[str]
    region: pulumi.Output[str]
    plan: pulumi.Output[Optional[str]]
    health_check_path: pulumi.Output[str]
    port: pulumi.Output[int]
    env: pulumi.Output[dict]
    secret_env: pulumi.Output[dict]
    deploy_id: pulumi.Output[str]
    url: pulumi.Output[str]
    restore: pulumi.Output[Optional[dict]]

    def __init__(self, resource_name: str, args: ServiceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            additional_secret_outputs=["secret_env", "restore"]))
        props = {**args.to_props(), "service_name": None, "deploy_id": None, "url": None, "restore": None}
        super().__init__(ServiceProvider(), resource_name, props, opts)
