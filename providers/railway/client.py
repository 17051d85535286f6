"""Railway public API client (GraphQL, ``POST https://backboard.railway.com/graphql/v2``): one method per operation.

Operation and argument names follow ``railway.schema.json`` and how Railway's own CLI calls them
(railwayapp/cli ``src/gql/**``; platform-apis.md section 3). Auth: ``Authorization: Bearer $RAILWAY_API_TOKEN``
(an account or workspace token). Railway answers a deleted or foreign id with the GraphQL error "Not Authorized"
as well as for a bad token (the CLI's ``post_graphql_value``); ``gone_or_raise`` tells the two apart by asking
something every valid token may read, and "<Kind> not found" answers are gone too.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .._http import ApiClient, ApiSettings, HttpClient, Timing, Unauthorized, base_url_from_env, bearer_headers
from .._http import require_env
from .._http.graphql import GraphQLEndpoint, GraphQLFailure

API = "Railway"
TOKEN_VAR = "RAILWAY_API_TOKEN"
URL_VAR = "RAILWAY_API_URL"
DEFAULT_URL = "https://backboard.railway.com"
GRAPHQL_PATH = "/graphql/v2"
TOKEN_HOW = "Create an account or workspace token at railway.com/account/tokens."

PENDING_DEPLOYMENT = frozenset({"QUEUED", "WAITING", "INITIALIZING", "BUILDING", "DEPLOYING"})
FAILED_DEPLOYMENT = frozenset({"FAILED", "CRASHED", "REMOVED", "REMOVING", "SKIPPED"})


class Gone(Exception):
    """The id no longer exists on Railway (or was never visible to this token)."""


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> ApiSettings:
    """Railway settings from RAILWAY_API_TOKEN (required) and RAILWAY_API_URL (default backboard.railway.com)."""
    token = require_env(TOKEN_VAR, API, TOKEN_HOW, environ)
    return ApiSettings(api=API, base_url=base_url_from_env(URL_VAR, DEFAULT_URL, API, environ),
                       headers=bearer_headers(token), secrets=(token,), credential_vars=(TOKEN_VAR,),
                       timing=Timing.from_env(environ))


_PROJECT_FIELDS = ("id name description createdAt environments { edges { node { id name } } } "
                   "services { edges { node { id name templateId createdAt } } }")
_INSTANCE_FIELDS = ("id startCommand healthcheckPath healthcheckTimeout region numReplicas source { image } "
                    "latestDeployment { id status meta createdAt } activeDeployments { id status meta createdAt }")


class RailwayClient(ApiClient, settings=settings_from_env):
    """Typed wrapper over the Railway operations the providers use. Use as a context manager."""

    def __init__(self, http: HttpClient) -> None:
        super().__init__(http)
        self.gql = GraphQLEndpoint(http, GRAPHQL_PATH)

    def _query(self, query: str, variables: Mapping[str, Any], operation: str, resource: str) -> dict[str, Any]:
        return self.gql.call(query, variables, operation=operation, resource=resource)

    def _mutate(self, query: str, variables: Mapping[str, Any], operation: str, resource: str,
                redact: tuple[str, ...] = (), *, sets_state: bool = False) -> dict[str, Any]:
        """A mutation; ``sets_state`` marks one that sets a value outright (an update, an upsert with
        ``replace``, a delete), which is safe to send again after a dropped connection."""
        return self.gql.call(query, variables, operation=operation, resource=resource, mutation=not sets_state,
                             redact=redact)

    def gone_or_raise(self, failure: GraphQLFailure) -> Gone:
        """``Gone`` when ``failure`` says an id is missing; re-raises anything else (a bad token included)."""
        if failure.mentions("not found"):
            return Gone(str(failure))
        if failure.mentions("not authorized"):
            try:
                self._query("query { regions { region } }", {}, "check token", "")
                self._query("query { projects(first: 1) { edges { node { id } } } }", {}, "check token", "")
            except GraphQLFailure:
                raise Unauthorized(api=API, operation=failure.operation, resource=failure.resource, status=200,
                                   reason="Not Authorized", api_message="; ".join(failure.messages),
                                   method="POST", path=GRAPHQL_PATH,
                                   hint=f"Check that {TOKEN_VAR} holds a valid account or workspace token") from None
            return Gone(str(failure))
        raise failure

    def _lookup(self, query: str, variables: Mapping[str, Any], operation: str, resource: str) -> dict[str, Any]:
        try:
            return self._query(query, variables, operation, resource)
        except GraphQLFailure as failure:
            raise self.gone_or_raise(failure) from None

    # ---- projects ---------------------------------------------------------------------------------------

    def create_project(self, name: str, description: str, environment: str,
                       workspace_id: Optional[str]) -> dict[str, Any]:
        """projectCreate with the stack's environment as the default one."""
        data = self._mutate(
            f"mutation($input: ProjectCreateInput!) {{ projectCreate(input: $input) {{ {_PROJECT_FIELDS} }} }}",
            {"input": {"name": name, "description": description, "defaultEnvironmentName": environment,
                       **({"workspaceId": workspace_id} if workspace_id else {})}},
            "create project", f'"{name}"')
        return data["projectCreate"]

    def get_project(self, project_id: str) -> dict[str, Any]:
        """project(id:); raises Gone."""
        return self._lookup(f"query($id: String!) {{ project(id: $id) {{ {_PROJECT_FIELDS} }} }}",
                            {"id": project_id}, "read project", project_id)["project"]

    def find_projects(self, name: str, workspace_id: Optional[str]) -> list[dict[str, Any]]:
        """Projects named exactly ``name`` (project names are not unique on Railway)."""
        data = self._query(
            f"query($w: String) {{ projects(workspaceId: $w) {{ edges {{ node {{ {_PROJECT_FIELDS} }} }} }} }}",
            {"w": workspace_id}, "find project", f'"{name}"')
        return [e["node"] for e in data["projects"]["edges"] if e["node"]["name"] == name]

    def update_project(self, project_id: str, name: str, description: str) -> dict[str, Any]:
        """projectUpdate of name and description."""
        return self._mutate(
            f"mutation($id: String!, $input: ProjectUpdateInput!) {{ projectUpdate(id: $id, input: $input) "
            f"{{ {_PROJECT_FIELDS} }} }}", {"id": project_id, "input": {"name": name, "description": description}},
            "update project", project_id, sets_state=True)["projectUpdate"]

    def delete_project(self, project_id: str) -> None:
        """projectDelete; Gone when it is already gone."""
        try:
            self._mutate("mutation($id: String!) { projectDelete(id: $id) }", {"id": project_id},
                         "delete project", project_id, sets_state=True)
        except GraphQLFailure as failure:
            raise self.gone_or_raise(failure) from None

    # ---- services -----------------------------------------------------------------------------------------

    def create_service(self, project_id: str, environment_id: str, name: str) -> dict[str, Any]:
        """serviceCreate with no source yet, in one environment: Railway deploys nothing until it has settings."""
        return self._mutate(
            "mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) { id name createdAt } }",
            {"input": {"projectId": project_id, "environmentId": environment_id, "name": name}},
            "create service", f'"{name}"')["serviceCreate"]

    def get_service(self, service_id: str) -> dict[str, Any]:
        """service(id:); raises Gone."""
        return self._lookup("query($id: String!) { service(id: $id) { id name projectId templateId createdAt } }",
                            {"id": service_id}, "read service", service_id)["service"]

    def get_instance(self, service_id: str, environment_id: str) -> dict[str, Any]:
        """serviceInstance settings, latest and active deployments; raises Gone."""
        return self._lookup(
            f"query($s: String!, $e: String!) {{ serviceInstance(serviceId: $s, environmentId: $e) "
            f"{{ {_INSTANCE_FIELDS} }} }}", {"s": service_id, "e": environment_id}, "read service settings",
            service_id)["serviceInstance"]

    def update_instance(self, service_id: str, environment_id: str, settings: Mapping[str, Any]) -> None:
        """serviceInstanceUpdate (takes effect with the next deployment)."""
        self._mutate("mutation($s: String!, $e: String, $input: ServiceInstanceUpdateInput!) { "
                     "serviceInstanceUpdate(serviceId: $s, environmentId: $e, input: $input) }",
                     {"s": service_id, "e": environment_id, "input": dict(settings)}, "update service settings",
                     service_id, sets_state=True)

    def deploy(self, service_id: str, environment_id: str) -> str:
        """serviceInstanceDeployV2: a new deployment of the current settings; returns its id."""
        return self._mutate("mutation($s: String!, $e: String!) { serviceInstanceDeployV2(serviceId: $s, "
                            "environmentId: $e) }", {"s": service_id, "e": environment_id}, "deploy service",
                            service_id)["serviceInstanceDeployV2"]

    def get_deployment(self, deployment_id: str) -> dict[str, Any]:
        """deployment(id:) status and meta; raises Gone."""
        return self._lookup("query($id: String!) { deployment(id: $id) { id status meta createdAt } }",
                            {"id": deployment_id}, "read deployment", deployment_id)["deployment"]

    def deployment_logs(self, deployment_id: str, limit: int = 5) -> list[str]:
        """The last ``limit`` log lines of a deployment (why a failed one failed)."""
        try:
            lines = self._query("query($id: String!, $limit: Int) { deploymentLogs(deploymentId: $id, limit: $limit) "
                                "{ message severity } }", {"id": deployment_id, "limit": limit},
                                "read deployment logs", deployment_id)["deploymentLogs"]
        except GraphQLFailure:
            return []
        return [str(line.get("message", "")) for line in lines]

    def delete_service(self, service_id: str, environment_id: str) -> None:
        """serviceDelete (the CLI passes the environment too); Gone when already gone."""
        try:
            self._mutate("mutation($id: String!, $e: String) { serviceDelete(id: $id, environmentId: $e) }",
                         {"id": service_id, "e": environment_id}, "delete service", service_id, sets_state=True)
        except GraphQLFailure as failure:
            raise self.gone_or_raise(failure) from None

    # ---- variables --------------------------------------------------------------------------------------

    def upsert_variables(self, project_id: str, environment_id: str, service_id: str, variables: Mapping[str, str],
                         *, replace: bool, skip_deploys: bool) -> None:
        """variableCollectionUpsert for one service."""
        self._mutate("mutation($input: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $input) }",
                     {"input": {"projectId": project_id, "environmentId": environment_id, "serviceId": service_id,
                                "variables": dict(variables), "replace": replace, "skipDeploys": skip_deploys}},
                     "set variables of service", service_id, redact=tuple(variables.values()), sets_state=True)

    def get_variables(self, project_id: str, environment_id: str, service_id: str, *,
                      unrendered: bool) -> dict[str, str]:
        """variables(...) of one service; unrendered keeps ``${{...}}`` references as written."""
        return self._lookup(
            "query($p: String!, $e: String!, $s: String, $u: Boolean) { variables(projectId: $p, environmentId: $e, "
            "serviceId: $s, unrendered: $u) }", {"p": project_id, "e": environment_id, "s": service_id,
                                                  "u": unrendered}, "read variables of service", service_id)["variables"]

    # ---- domains ----------------------------------------------------------------------------------------

    def create_domain(self, service_id: str, environment_id: str, target_port: int) -> dict[str, Any]:
        """serviceDomainCreate: a generated ``*.up.railway.app`` host."""
        return self._mutate("mutation($input: ServiceDomainCreateInput!) { serviceDomainCreate(input: $input) "
                            "{ id domain targetPort createdAt } }",
                            {"input": {"serviceId": service_id, "environmentId": environment_id,
                                       "targetPort": target_port}}, "create domain of service",
                            service_id)["serviceDomainCreate"]

    def list_domains(self, project_id: str, environment_id: str, service_id: str) -> list[dict[str, Any]]:
        """The generated domains of one service; raises Gone."""
        return self._lookup("query($p: String!, $e: String!, $s: String!) { domains(projectId: $p, environmentId: $e, "
                            "serviceId: $s) { serviceDomains { id domain targetPort createdAt } } }",
                            {"p": project_id, "e": environment_id, "s": service_id}, "read domains of service",
                            service_id)["domains"]["serviceDomains"]

    def delete_domain(self, domain_id: str) -> None:
        """serviceDomainDelete; Gone when already gone."""
        try:
            self._mutate("mutation($id: String!) { serviceDomainDelete(id: $id) }", {"id": domain_id},
                         "delete domain", domain_id, sets_state=True)
        except GraphQLFailure as failure:
            raise self.gone_or_raise(failure) from None

    # ---- volumes ----------------------------------------------------------------------------------------

    def create_volume(self, project_id: str, environment_id: str, mount_path: str) -> dict[str, Any]:
        """volumeCreate, detached, in one environment."""
        return self._mutate("mutation($input: VolumeCreateInput!) { volumeCreate(input: $input) { id name createdAt } }",
                            {"input": {"projectId": project_id, "environmentId": environment_id,
                                       "mountPath": mount_path}}, "create volume", mount_path)["volumeCreate"]

    def list_volumes(self, project_id: str) -> list[dict[str, Any]]:
        """The project's volumes with their instances (as the TF provider reads them); raises Gone."""
        data = self._lookup("query($id: String!) { project(id: $id) { volumes { edges { node { id name createdAt "
                            "volumeInstances { edges { node { id environmentId serviceId mountPath sizeMB } } } } } } } }",
                            {"id": project_id}, "read volumes of project", project_id)
        return [e["node"] for e in data["project"]["volumes"]["edges"]]

    def set_volume_attachment(self, volume_id: str, environment_id: str, service_id: Optional[str],
                              mount_path: Optional[str]) -> None:
        """volumeInstanceUpdate: attach to a service at a mount path, or detach (``service_id`` None)."""
        settings: dict[str, Any] = {"serviceId": service_id}
        if mount_path:
            settings["mountPath"] = mount_path
        try:
            self._mutate("mutation($v: String!, $e: String, $input: VolumeInstanceUpdateInput!) { "
                         "volumeInstanceUpdate(volumeId: $v, environmentId: $e, input: $input) }",
                         {"v": volume_id, "e": environment_id, "input": settings}, "attach volume", volume_id, sets_state=True)
        except GraphQLFailure as failure:
            raise self.gone_or_raise(failure) from None

    def delete_volume(self, volume_id: str) -> None:
        """volumeDelete; Gone when already gone."""
        try:
            self._mutate("mutation($v: String!) { volumeDelete(volumeId: $v) }", {"v": volume_id}, "delete volume",
                         volume_id, sets_state=True)
        except GraphQLFailure as failure:
            raise self.gone_or_raise(failure) from None

    # ---- templates --------------------------------------------------------------------------------------

    def get_template(self, code: str) -> dict[str, Any]:
        """template(code:) with its serialized config (Railway answers it without credentials too)."""
        return self._query("query($code: String!) { template(code: $code) { id name serializedConfig } }",
                           {"code": code}, "read template", f'"{code}"')["template"]

    def deploy_template(self, template_id: str, config: Mapping[str, Any], project_id: str,
                        environment_id: str) -> str:
        """templateDeployV2; returns the workflow id to poll."""
        data = self._mutate("mutation($input: TemplateDeployV2Input!) { templateDeployV2(input: $input) "
                            "{ projectId workflowId } }",
                            {"input": {"templateId": template_id, "serializedConfig": dict(config),
                                       "projectId": project_id, "environmentId": environment_id}},
                            "deploy template", template_id)
        return data["templateDeployV2"]["workflowId"]

    def workflow_status(self, workflow_id: str) -> dict[str, Any]:
        """workflowStatus: Running, Complete, Error (with ``error``) or NotFound."""
        return self._query("query($w: String!) { workflowStatus(workflowId: $w) { status error } }",
                           {"w": workflow_id}, "read workflow", workflow_id)["workflowStatus"]
