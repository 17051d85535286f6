"""A database service from one of Railway's templates (``pulumi-python:dynamic/railway:TemplateDatabase``).

Added the way Railway's CLI adds one (``railway add --database``, ``src/commands/deploy.rs``
``fetch_and_create``): ``template(code:)`` gives the template's ``serializedConfig``, which is passed through as
it is (only variable values are filled in), ``templateDeployV2`` answers a workflow id, and ``workflowStatus``
is polled until ``Complete`` (``NotFound`` right after creation is read-after-write lag, ``Error`` is final:
``src/controllers/workflow.rs``). The new service is the one carrying this stack's ``STAGECRAFT_OWNER`` variable,
added to the template's variables so Railway stores the marker with the service; then its deployment is waited
for. Deleting removes the service and the template's volumes (Railway keeps a service's volume when the service
goes).

Postgres: Railway's stock template runs ``ghcr.io/railwayapp-templates/postgres-ssl``, whose images install
pgvector (its Dockerfile.17/18), so ``vector``, ``pg_trgm`` and ``uuid-ossp`` can all be enabled over SQL.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http.retry import backoff_delay
from .._http import CheckedArgs, InputReader, ResourceFailed, TransportError, ServerError, diff_props, wait_until
from .client import API, FAILED_DEPLOYMENT, Gone, RailwayClient
from .ownership import OWNER_VARIABLE, read_owner

FIELDS = ("project_id", "environment_id", "template", "owner")
URL_VARIABLES = {"postgres": ("DATABASE_URL", "DATABASE_PUBLIC_URL"), "redis": ("REDIS_URL", "REDIS_PUBLIC_URL")}
"""Template code -> (variable with the private-network URL, variable with the public TCP-proxy URL)."""
NOT_FOUND_POLLS = 10
"""``workflowStatus`` reads of NotFound tolerated right after ``templateDeployV2`` (read-after-write lag)."""


@dataclass(frozen=True)
class TemplateDatabaseArgs(CheckedArgs):
    """Inputs of a template database (every change replaces it)."""

    KIND = "railway:TemplateDatabase"

    project_id: pulumi.Input[str]
    """Railway project id."""
    environment_id: pulumi.Input[str]
    """Environment to deploy into."""
    template: pulumi.Input[str]
    """Template code: ``postgres`` or ``redis``."""
    owner: pulumi.Input[str]
    """The stack that owns the database, ``"<project>/<stack>"`` (variable ``STAGECRAFT_OWNER``)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the ids, the template code and the owner."""
        return {"project_id": reader.string("project_id"), "environment_id": reader.string("environment_id"),
                "template": reader.string("template", choices=sorted(URL_VARIABLES)), "owner": read_owner(reader)}


def _outs(args: TemplateDatabaseArgs, service: dict[str, Any], variables: dict[str, str],
          volume_ids: list[str]) -> dict[str, Any]:
    private, public = URL_VARIABLES[args.template]
    return {**args.to_props(), "service_name": service["name"], "volume_ids": sorted(volume_ids),
            "private_url_reference": f"${{{{{service['name']}.{private}}}}}",
            "public_url": variables.get(public, "")}


def _marked_service(railway: RailwayClient, args: TemplateDatabaseArgs, template_id: str) -> Optional[dict[str, Any]]:
    for edge in railway.get_project(args.project_id)["services"]["edges"]:
        node = edge["node"]
        if node.get("templateId") == template_id:
            owner = railway.get_variables(args.project_id, args.environment_id, node["id"],
                                          unrendered=True).get(OWNER_VARIABLE)
            if owner == args.owner:
                return node
    return None


def _config_with_owner(template: dict[str, Any], owner: str) -> dict[str, Any]:
    config = copy.deepcopy(template.get("serializedConfig") or {})
    for service in (config.get("services") or {}).values():
        variables = service.setdefault("variables", {})
        for key, variable in variables.items():
            if isinstance(variable, dict) and not variable.get("defaultValue") and not variable.get("isOptional"):
                raise ResourceFailed(f"{API}: template {template.get('name')!r} needs a value for {key}, which "
                                     "stagecraft does not set; choose a template without required inputs")
        variables[OWNER_VARIABLE] = {"defaultValue": owner, "description": "stack that owns this service",
                                     "isOptional": False}
    return config


class TemplateDatabaseProvider(ResourceProvider):
    """CRUD for template databases (RAILWAY_API_TOKEN from the environment)."""

    def check(self, _olds: Any, news: Any):
        return TemplateDatabaseArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=FIELDS, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: TemplateDatabaseArgs = TemplateDatabaseArgs.from_props(props)
        with RailwayClient.from_env() as railway:
            template = railway.get_template(args.template)
            service = _marked_service(railway, args, template["id"]) or self._deploy(railway, args, template)
            self._wait_deployed(railway, args, service)
            return CreateResult(service["id"], self._read_outs(railway, args, service))

    def _deploy(self, railway: RailwayClient, args: TemplateDatabaseArgs, template: dict[str, Any]) -> dict[str, Any]:
        config = _config_with_owner(template, args.owner)
        for attempt in range(1, railway.timing.max_attempts + 1):
            try:
                workflow_id = railway.deploy_template(template["id"], config, args.project_id, args.environment_id)
            except (TransportError, ServerError) as exc:
                if isinstance(exc, TransportError) and not exc.maybe_applied:
                    raise
                # The deploy may have started: wait for a service with our marker before trying again.
                found = self._await_marked(railway, args, template["id"])
                if found is not None:
                    return found
                if attempt == railway.timing.max_attempts:
                    raise
                time.sleep(backoff_delay(attempt, railway.timing))
                continue
            self._wait_workflow(railway, args, workflow_id)
            found = _marked_service(railway, args, template["id"])
            if found is None:
                raise ResourceFailed(f"{API}: the {args.template} template's workflow {workflow_id} completed but "
                                     "no service carrying this stack's marker appeared in the project")
            return found
        raise AssertionError("unreachable")

    @staticmethod
    def _await_marked(railway: RailwayClient, args: TemplateDatabaseArgs, template_id: str) -> Optional[dict[str, Any]]:
        for _ in range(NOT_FOUND_POLLS):
            found = _marked_service(railway, args, template_id)
            if found is not None:
                return found
            time.sleep(railway.timing.poll_interval * railway.timing.scale)
        return None

    @staticmethod
    def _wait_workflow(railway: RailwayClient, args: TemplateDatabaseArgs, workflow_id: str) -> None:
        not_found = [0]

        def classify(status: dict[str, Any]):
            state = status.get("status")
            if state == "Complete":
                return "ready", state
            if state == "Error":
                return "failed", f"workflow Error: {status.get('error') or 'Unknown error'}"
            if state == "NotFound":
                not_found[0] += 1
                if not_found[0] > NOT_FOUND_POLLS:
                    return "failed", "workflow NotFound after the read-after-write allowance"
            return "pending", str(state)

        wait_until(lambda: railway.workflow_status(workflow_id), classify, api=API,
                   what=f"the {args.template} template's workflow {workflow_id}", timing=railway.timing)

    @staticmethod
    def _wait_deployed(railway: RailwayClient, args: TemplateDatabaseArgs, service: dict[str, Any]) -> None:
        def classify(instance: dict[str, Any]):
            status = (instance.get("latestDeployment") or {}).get("status", "")
            if status == "SUCCESS":
                return "ready", status
            if status in FAILED_DEPLOYMENT:
                return "failed", status
            return "pending", status or "no deployment yet"

        wait_until(lambda: railway.get_instance(service["id"], args.environment_id), classify, api=API,
                   what=f'deployment of {args.template} service "{service["name"]}"', timing=railway.timing)

    @staticmethod
    def _read_outs(railway: RailwayClient, args: TemplateDatabaseArgs, service: dict[str, Any]) -> dict[str, Any]:
        variables = railway.get_variables(args.project_id, args.environment_id, service["id"], unrendered=False)
        volumes = [v["id"] for v in railway.list_volumes(args.project_id)
                   if any(i["node"].get("serviceId") == service["id"] for i in v["volumeInstances"]["edges"])]
        return _outs(args, service, variables, volumes)

    def read(self, id_: str, props: Any) -> ReadResult:
        args = TemplateDatabaseArgs(**{k: props.get(k) for k in FIELDS})
        with RailwayClient.from_env() as railway:
            try:
                service = railway.get_service(id_)
                outs = self._read_outs(railway, args, service)
            except Gone:
                return ReadResult("", {})
        # Volumes detached from the service (it was replaced out of band) are still ours to delete.
        outs["volume_ids"] = sorted(set(outs["volume_ids"]) | set(props.get("volume_ids") or []))
        return ReadResult(id_, outs)

    def delete(self, id_: str, props: Any) -> None:
        with RailwayClient.from_env() as railway:
            try:
                railway.delete_service(id_, props["environment_id"])
            except Gone:
                pass
            for volume_id in props.get("volume_ids") or []:
                try:
                    railway.delete_volume(volume_id)
                except Gone:
                    continue


class TemplateDatabase(pulumi.dynamic.Resource, module="railway", name="TemplateDatabase"):
    """A Postgres or Redis service from Railway's template.

    Outputs: ``service_name``; ``private_url_reference`` (``${{<service>.DATABASE_URL}}``, for other services'
    variables); ``public_url`` (secret: the URL over the TCP proxy, for SQL from outside); ``volume_ids``; ``id``.
    """

    service_name: pulumi.Output[str]
    private_url_reference: pulumi.Output[str]
    public_url: pulumi.Output[str]
    volume_ids: pulumi.Output[list]

    def __init__(self, resource_name: str, args: TemplateDatabaseArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(TemplateDatabaseProvider(), resource_name,
                         {**args.to_props(), "service_name": None, "private_url_reference": None,
                          "public_url": None, "volume_ids": None},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=[
                             "public_url"])))
