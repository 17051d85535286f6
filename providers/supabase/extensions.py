"""PostgreSQL extensions of a Supabase project's database (``pulumi-python:dynamic/supabase:Extensions``).

The Management API has no extensions endpoint (platform-apis.md §6), so they are enabled over SQL through
`POST /v1/projects/{ref}/database/query`, into the `extensions` schema Supabase keeps for them:
`create extension if not exists "<name>" with schema extensions`. No direct database connection is needed from
the machine that runs `pulumi` (Supabase's direct host is IPv6-only on the free plan).

Supabase installs some extensions itself (`uuid-ossp` among them on new projects), so state records which ones
this resource installed, and only those are dropped when they leave the list or the resource is deleted.
`read` reports what the database really has, so `refresh` shows an extension dropped by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, diff_props
from .client import PROJECT_REF, ManagementClient

FIELDS = ("project_ref", "extensions", "schema")
IMMUTABLE = ("project_ref", "schema")
EXTENSION_NAME = r"[a-z0-9_-]+"
SCHEMA_NAME = r"[a-z_][a-z0-9_]*"


@dataclass(frozen=True)
class ExtensionsArgs(CheckedArgs):
    """Inputs of a set of extensions."""

    KIND = "supabase:Extensions"

    project_ref: pulumi.Input[str]
    """The project's ref (``Project.id``). Changing it replaces."""
    extensions: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Extension names, e.g. ``["vector", "pg_trgm", "uuid-ossp"]``."""
    schema: pulumi.Input[str] = "extensions"
    """Schema the extensions are installed into (Supabase's convention). Changing it replaces."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the ref, the extension names and the schema name."""
        return {
            "project_ref": reader.string("project_ref", example="project.id", pattern=PROJECT_REF,
                                         pattern_hint="a Supabase project ref is 20 lower-case letters"),
            "extensions": reader.string_list("extensions", example='["vector"]', min_items=1),
            "schema": reader.string("schema", example='"extensions"', pattern=SCHEMA_NAME,
                                    pattern_hint="a schema name of lower-case letters, digits and _"),
        }


def installed(management: ManagementClient, ref: str) -> set[str]:
    """The extensions the project's database has."""
    rows = management.query(ref, "select extname from pg_extension", read_only=True)
    return {str(r.get("extname")) for r in rows}


def _enable(management: ManagementClient, ref: str, names: Sequence[str], schema: str) -> None:
    if names:
        management.query(ref, " ".join(f'create extension if not exists "{n}" with schema {schema};' for n in names),
                         repeatable=True)


def _drop(management: ManagementClient, ref: str, names: Sequence[str]) -> None:
    if names:
        management.query(ref, " ".join(f'drop extension if exists "{n}";' for n in names), repeatable=True)


def _to_outs(ref: str, wanted: Sequence[str], present: set[str], ours: Sequence[str], schema: str) -> dict[str, Any]:
    """State: the wanted extensions the database has (in the wanted order), and which of them we installed."""
    return {"project_ref": ref, "extensions": [n for n in wanted if n in present], "schema": schema,
            "installed_here": [n for n in ours if n in present]}


class ExtensionsProvider(ResourceProvider):
    """CRUD for extensions over the Management API's SQL endpoint (SUPABASE_ACCESS_TOKEN)."""

    def check(self, _olds: Any, news: Any):
        return ExtensionsArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: ExtensionsArgs = ExtensionsArgs.from_props(props)
        ref, wanted = str(args.project_ref), list(args.extensions)
        with ManagementClient.from_env() as management:
            before = installed(management, ref)
            missing = [n for n in wanted if n not in before]
            _enable(management, ref, missing, str(args.schema))
            return CreateResult(f"{ref}/extensions", _to_outs(ref, wanted, installed(management, ref), missing,
                                                              str(args.schema)))

    def read(self, id_: str, props: Any) -> ReadResult:
        ref = str(props.get("project_ref"))
        with ManagementClient.from_env() as management:
            try:
                present = installed(management, ref)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(ref, props.get("extensions") or [], present,
                                        props.get("installed_here") or [], str(props.get("schema"))))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: ExtensionsArgs = ExtensionsArgs.from_props(news)
        ref, wanted = str(args.project_ref), list(args.extensions)
        ours = list(olds.get("installed_here") or [])
        with ManagementClient.from_env() as management:
            before = installed(management, ref)
            missing = [n for n in wanted if n not in before]
            _enable(management, ref, missing, str(args.schema))
            dropped = [n for n in ours if n not in wanted]
            _drop(management, ref, dropped)
            kept = [n for n in ours if n in wanted] + missing
            return UpdateResult(_to_outs(ref, wanted, installed(management, ref), kept, str(args.schema)))

    def delete(self, _id: str, props: Any) -> None:
        with ManagementClient.from_env() as management:
            try:
                _drop(management, str(props.get("project_ref")), list(props.get("installed_here") or []))
            except NotFound:
                return


class Extensions(pulumi.dynamic.Resource, module="supabase", name="Extensions"):
    """Extensions of a Supabase database. Outputs add ``installed_here`` (the ones this resource installed)."""

    project_ref: pulumi.Output[str]
    extensions: pulumi.Output[list]
    schema: pulumi.Output[str]
    installed_here: pulumi.Output[list]

    def __init__(self, resource_name: str, args: ExtensionsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(ExtensionsProvider(), resource_name, {**args.to_props(), "installed_here": None}, opts)
