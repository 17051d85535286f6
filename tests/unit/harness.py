"""Runs the program under `pulumi.runtime.set_mocks` and records what it registers and exports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.program import build_stack as compose_stack
from settings.pulumi_source import settings_from_pulumi

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Outputs the real platforms compute, keyed by type token; a mock returns them with the inputs.
_COMPUTED = {
    "pulumi-python:dynamic/local:PostgresDatabase": lambda i: {
        "password": "mock-db-password",
        "connection_uri": f"postgresql://{i['owner']}:mock-db-password@{i['host']}:{int(i['port'])}/{i['name']}"},
    "pulumi-python:dynamic/local:GeneratedSecret": lambda i: {"value": "mock-generated-secret"},
    "pulumi-python:dynamic/koyeb:App": lambda i: {"domain": f"{i['name']}-org.koyeb.app"},
    "pulumi-python:dynamic/koyeb:Service": lambda i: {"status": "HEALTHY", "public_url": "https://api-org.koyeb.app"},
    "pulumi-python:dynamic/neon:Endpoint": lambda i: {"host": "ep-mock-123.us-east-2.aws.neon.tech"},
    "pulumi-python:dynamic/neon:Role": lambda i: {"password": "mock-role-password"},
    "pulumi-python:dynamic/upstash:RedisDatabase": lambda i: {
        "endpoint": "mock-cache.upstash.io", "port": 6379, "password": "mock-redis-password",
        "rest_token": "mock-rest-token"},
    "random:index/randomPassword:RandomPassword": lambda i: {"result": "mock-random-password"},
    "cloudflare:index/pagesProject:PagesProject": lambda i: {"subdomain": f"{i['name']}.pages.dev"},
    "cloudflare:index/apiToken:ApiToken": lambda i: {"value": "mock-api-token-value", "status": "active"},
    "pulumi-python:dynamic/build:StaticBuild": lambda i: {
        "artifact_dir": f"/builds/{i['app']}", "artifact_digest": "a" * 64, "file_count": 3, "size_bytes": 2048},
    "pulumi-python:dynamic/netlify:Site": lambda i: {"account_id": "mock-account-id",
                                                     "url": f"https://{i['name']}.netlify.app"},
    "pulumi-python:dynamic/netlify:Deploy": lambda i: {"deploy_url": "https://0123abcd--mock.netlify.app",
                                                       "site_url": "https://mock.netlify.app"},
    "pulumi-python:dynamic/render:Service": lambda i: {"url": "https://weedgo-api.onrender.com",
                                                       "deploy_id": "dep-mock", "service_name": "weedgo-api"},
    "pulumi-python:dynamic/render:KeyValue": lambda i: {
        "internal_url": "redis://red-mock:6379",
        "external_url": "rediss://red-mock:mock-kv-password@oregon-keyvalue.render.com:6379"},
    "pulumi-python:dynamic/supabase:Project": lambda i: {
        "db_host": "db.mockrefmockrefmockre.supabase.co", "pooler_host": f"aws-0-{i['region']}.pooler.supabase.com",
        "pooler_port": 5432, "pooler_user": "postgres.mockrefmockrefmockre", "database": "postgres",
        "api_url": "https://mockrefmockrefmockre.supabase.co",
        "storage_url": "https://mockrefmockrefmockre.supabase.co/storage/v1", "service_key": "sb_secret_mock-key"},
    "pulumi-python:dynamic/supabase:Bucket": lambda i: {
        "endpoint": "https://mockrefmockrefmockre.supabase.co/storage/v1"},
    "pulumi-python:dynamic/railway:Project": lambda i: {"environment_id": f"env-{i['environment']}"},
    "pulumi-python:dynamic/railway:Service": lambda i: {"deployment_id": "dep-railway-1", "image": i["image"]},
    "pulumi-python:dynamic/railway:ServiceDomain": lambda i: {
        "domain": "stagecraft-api-preprod.up.railway.app", "url": "https://stagecraft-api-preprod.up.railway.app"},
    "pulumi-python:dynamic/railway:Volume": lambda i: {"name": "mock-volume"},
    "pulumi-python:dynamic/railway:TemplateDatabase": lambda i: {
        "service_name": i["template"].capitalize(), "volume_ids": [f"vol-{i['template']}"],
        "private_url_reference": "${{" + i["template"].capitalize() + (
            ".DATABASE_URL}}" if i["template"] == "postgres" else ".REDIS_URL}}"),
        "public_url": "postgresql://postgres:mock-pg-password@shuttle.proxy.rlwy.net:41234/railway"
        if i["template"] == "postgres" else "redis://default:mock-redis-password@shuttle.proxy.rlwy.net:52345"},
    "pulumi-python:dynamic/vercel:PrebuiltOutput": lambda i: {
        "path": f".stagecraft/vercel/{i['artifact_digest'][:32]}",
        "files": {f".stagecraft/vercel/{i['artifact_digest'][:32]}/.vercel/output/config.json": "17~" + "c" * 40}},
    "vercel:index/deployment:Deployment": lambda i: {
        "url": f"{i['projectId'].removeprefix('prj_')}-a1b2c3-team.vercel.app",
        "domains": [f"{i['projectId'].removeprefix('prj_')}-team.vercel.app",
                    f"{i['projectId'].removeprefix('prj_')}.vercel.app"] if i.get("production") else []},
    "pulumi-python:dynamic/cloudflare:PagesDeployment": lambda i: {
        "deployment_id": f"dep-{i['project_name']}", "url": f"https://0123abcd.{i['project_name']}.pages.dev",
        "alias_url": f"https://{i['project_name']}.pages.dev", "environment": "production"},
}

# Ids the platforms give, where a test reads them (default: `<resource name>-id`).
_IDS = {"vercel:index/project:Project": lambda i: f"prj_{i['name']}"}

# The invokes the program may make, answered as the provider would (anything else fails the test).
R2_PERMISSION_GROUPS = {"Workers R2 Storage Bucket Item Read": "mock-r2-item-read-id",
                        "Workers R2 Storage Bucket Item Write": "mock-r2-item-write-id",
                        "Workers R2 Storage Write": "mock-r2-storage-write-id"}
_INVOKES = {
    "cloudflare:index/getApiTokenPermissionGroups:getApiTokenPermissionGroups": lambda _args: {
        "id": "permission-groups", "r2": R2_PERMISSION_GROUPS, "account": {}, "zone": {}, "user": {},
        "permissions": {}},
    "github:index/getUser:getUser": lambda args: {"id": str(GITHUB_USER_IDS[args["username"]]),
                                                  "login": args["username"], "username": args["username"]},
    "github:index/getTeam:getTeam": lambda args: {"id": str(GITHUB_TEAM_IDS[args["slug"]]), "slug": args["slug"]},
}
GITHUB_USER_IDS = {"alice": 1001, "bob": 1002, "carol": 1003}
"""The GitHub users the mocked `github.get_user` knows (login -> numeric id)."""
GITHUB_TEAM_IDS = {"release-managers": 2001}

FOUNDATION_OUTPUTS = {
    "schemaVersion": 1, "stack": "foundation", "environment": "foundation",
    "neon": {"projectId": "mock-neon-project", "rootBranch": "main", "rootBranchId": "br-main-root-1",
             "rootEndpointHost": "ep-root-123.us-east-2.aws.neon.tech"},
}
"""What a deployed foundation stack exports (the default other stacks read under mocks)."""
READ_STACK_OUTPUTS = "pulumi:pulumi:readStackOutputs"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


@dataclass(frozen=True)
class Registered:
    """One resource the program registered."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    secret_inputs: frozenset[str] = frozenset()
    """Input paths (`values.DATABASE_URL`) that were passed as secrets."""


class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks that answer like the platforms would, record every resource, and reject every invoke."""

    def __init__(self, stacks: dict[str, dict[str, Any]] | None = None) -> None:
        self.resources: list[Registered] = []
        self.stacks = {"foundation": FOUNDATION_OUTPUTS} if stacks is None else stacks
        """Other stacks' outputs by name, as StackReference and the engine's readStackOutputs see them."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        secret_paths: set[str] = set()
        inputs = _unwrap_secrets(dict(args.inputs), "", secret_paths)
        inputs.pop("__provider", None)
        secret_paths.discard("__provider")
        self.resources.append(Registered(args.typ, args.name, inputs, bool(args.custom), frozenset(secret_paths)))
        if args.typ == STACK_REFERENCE:
            return inputs["name"], self._stack(inputs["name"])
        outputs = {**args.inputs, **_COMPUTED.get(args.typ, lambda _inputs: {})(inputs)}
        return _IDS.get(args.typ, lambda _inputs: f"{args.name}-id")(inputs), outputs

    def _stack(self, name: str) -> dict[str, Any]:
        if name not in self.stacks:
            raise Exception(f"unknown stack \"organization/stagecraft/{name}\"")  # the engine's own wording
        return {"name": name, "outputs": self.stacks[name], "secretOutputNames": []}

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == READ_STACK_OUTPUTS:
            if args.args["name"] not in self.stacks:  # the engine answers with the failure, as a failed invoke
                return {}, [("name", f"unknown stack \"organization/stagecraft/{args.args['name']}\"")]
            return self._stack(args.args["name"])
        if args.token not in _INVOKES:
            raise AssertionError(f"the program made an unexpected invoke: {args.token}")
        return _INVOKES[args.token](args.args)


_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


def _unwrap_secrets(value: Any, path: str, secret_paths: set[str]) -> Any:
    if isinstance(value, dict) and value.get(_SIG_KEY) == _SECRET_SIG:
        secret_paths.add(path)
        return _unwrap_secrets(value.get("value"), path, secret_paths)
    if isinstance(value, dict):
        return {k: _unwrap_secrets(v, f"{path}.{k}" if path else k, secret_paths) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v, f"{path}[{i}]", secret_paths) for i, v in enumerate(value)]
    return value


@dataclass
class BuiltStack:
    """What one run of the program produced."""

    resources: list[Registered]
    outputs: dict[str, Any]
    secret_paths: set[str] = field(default_factory=set)
    protected: dict[tuple[str, str], bool] = field(default_factory=dict)
    """(type, name) -> whether the program registered the resource with protect=True."""

    def count_by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for res in self.resources:
            counts[res.type] = counts.get(res.type, 0) + 1
        return counts

    def of_type(self, token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == token]


def stack_config(stack: str, overrides: dict[str, Any] | None = None) -> dict[str, str]:
    """A stack's Pulumi.<stack>.yaml as the engine hands config to the program (values as JSON text)."""
    path = PROJECT_ROOT / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(path.read_text()) if path.exists() else {}
    config = dict((document or {}).get("config") or {})
    config.update(overrides or {})
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()
            if not (isinstance(value, dict) and "secure" in value)}


def build_stack(stack: str, config: dict[str, str], project_root: Path = PROJECT_ROOT,
                stacks: dict[str, dict[str, Any]] | None = None, secret_keys: tuple[str, ...] = ()) -> BuiltStack:
    """Run the program (less its machine preflight) for `stack` under mocks; resolve every export. `stacks`: the
    other stacks' outputs (default: a deployed foundation)."""
    mocks = RecordingMocks(stacks)
    pulumi.runtime.set_mocks(mocks, project="stagecraft", stack=stack, preview=False)
    pulumi.runtime.set_all_config(config, secret_keys=list(secret_keys))
    exported: dict[str, Any] = {}
    roots: list[pulumi.Resource] = []

    def program() -> None:
        settings = settings_from_pulumi(project_root)
        root = compose_stack(settings, project_root=project_root, environ={})
        roots.append(root)  # type: ignore[arg-type]
        exported.update(root.stack_outputs())

    _sync_await(run_pulumi_func(program))
    built = BuiltStack(resources=mocks.resources, outputs={})
    built.outputs = _sync_await(_resolve(exported, "", built.secret_paths))
    built.protected = _sync_await(_protection(roots))
    return built


async def _protection(roots: list[pulumi.Resource]) -> dict[tuple[str, str], bool]:
    """(type, name) -> protect, for every resource under the program's top component (from its URN)."""
    found: dict[tuple[str, str], bool] = {}
    pending = list(roots)
    while pending:
        resource = pending.pop()
        pending.extend(resource._childResources)
        urn = await resource.urn.future()
        qualified_type, name = urn.split("::")[-2:]
        found[(qualified_type.split("$")[-1], name)] = resource._protect
    return found


async def _resolve(value: Any, path: str, secret_paths: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: await _resolve(v, f"{path}.{k}" if path else k, secret_paths) for k, v in value.items()}
    if isinstance(value, pulumi.Output):
        if await value.is_secret():
            secret_paths.add(path)
        return await value.future()
    return value
