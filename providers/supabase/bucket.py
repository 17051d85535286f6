"""A Supabase Storage bucket (``pulumi-python:dynamic/supabase:Bucket``), made through the project's Storage API.

The Management API only lists buckets (platform-apis.md §6); create, update and delete go to the project's
Storage API with the project's server-side key (read through the Management API at call time). Storage answers
its errors as HTTP 400 with the real status in the body: a logical 404 `NoSuchBucket` is a bucket that is gone
(`read` and `delete` treat it so), a logical 409 `BucketAlreadyExists` is a taken id (adopted only when this very
create call made it, see ``ownership.py``), and a logical 409 `ResourceNotEmpty` on delete is a bucket that still
holds objects: `destroy` then stops and says so rather than delete someone's files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    ApiError,
    CheckedArgs,
    InputReader,
    NotFound,
    ProviderError,
    create_owned,
    diff_props,
    parse_timestamp,
)
from .client import API, PROJECT_REF, ManagementClient, StorageClient, storage_code, storage_url
from .ownership import OWNER_HINT, OWNER_PATTERN, bucket_claim
from .catalog import BUCKET_HINT, BUCKET_NAME

FIELDS = ("project_ref", "name", "owner", "public", "file_size_limit", "allowed_mime_types")
IMMUTABLE = ("project_ref", "name", "owner")


@dataclass(frozen=True)
class BucketArgs(CheckedArgs):
    """Inputs of a Storage bucket."""

    KIND = "supabase:Bucket"

    project_ref: pulumi.Input[str]
    """The project's ref (``Project.id``). Changing it replaces."""
    name: pulumi.Input[str]
    """Bucket name, also its id. Changing it replaces (the new bucket first)."""
    owner: pulumi.Input[str]
    """The stack that makes the bucket, ``"<project>/<stack>"`` (for messages: Supabase cannot store it)."""
    public: pulumi.Input[bool] = False
    """Whether objects are readable without a key."""
    file_size_limit: Optional[pulumi.Input[int]] = None
    """Largest object in bytes; None: the project's limit."""
    allowed_mime_types: pulumi.Input[Sequence[pulumi.Input[str]]] = field(default_factory=list)
    """Media types objects may have; empty: any."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the ref, the name, the owner and the limits."""
        return {
            "project_ref": reader.string("project_ref", example="project.id", pattern=PROJECT_REF,
                                         pattern_hint="a Supabase project ref is 20 lower-case letters"),
            "name": reader.string("name", example='"stagecraft-beta-uploads"', pattern=BUCKET_NAME,
                                  pattern_hint=BUCKET_HINT),
            "owner": reader.string("owner", example='"stagecraft/beta"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
            "public": reader.boolean("public", required=False),
            "file_size_limit": reader.integer("file_size_limit", required=False, minimum=0),
            "allowed_mime_types": reader.string_list("allowed_mime_types", required=False),
        }


def _to_outs(ref: str, bucket: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """State: the bucket's settings as Storage reports them, and the Storage API endpoint."""
    return {"project_ref": ref, "name": bucket.get("name"), "owner": owner, "public": bool(bucket.get("public")),
            "file_size_limit": bucket.get("file_size_limit"),
            "allowed_mime_types": list(bucket.get("allowed_mime_types") or []), "endpoint": storage_url(ref)}


def _settings(args: BucketArgs) -> dict[str, Any]:
    return {"public": bool(args.public), "file_size_limit": args.file_size_limit,
            "allowed_mime_types": list(args.allowed_mime_types) or None}


def _bucket_or_none(storage: StorageClient, bucket_id: str) -> Optional[dict[str, Any]]:
    try:
        return storage.get_bucket(bucket_id)
    except ApiError as exc:
        if storage_code(exc) == "NoSuchBucket":
            return None
        raise


class BucketProvider(ResourceProvider):
    """CRUD for Storage buckets. Credentials: SUPABASE_ACCESS_TOKEN (the project key is read with it)."""

    def check(self, _olds: Any, news: Any):
        return BucketArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: BucketArgs = BucketArgs.from_props(props)
        ref, name = str(args.project_ref), str(args.name)
        with ManagementClient.from_env() as management, StorageClient.for_project(management, ref) as storage:
            create_owned(
                lambda: storage.create_bucket({"id": name, "name": name, **_settings(args)}),
                lambda: _bucket_or_none(storage, name),
                claim=bucket_claim(name, str(args.owner)), timing=management.timing,
                created_at=lambda found: parse_timestamp(found.get("created_at")),
                name_taken=lambda exc: storage_code(exc) == "BucketAlreadyExists",
            )
            return CreateResult(f"{ref}/{name}", _to_outs(ref, storage.get_bucket(name), str(args.owner)))

    def read(self, id_: str, props: Any) -> ReadResult:
        ref, name = id_.split("/", 1)
        with ManagementClient.from_env() as management:
            try:
                with StorageClient.for_project(management, ref) as storage:
                    bucket = _bucket_or_none(storage, name)
            except NotFound:
                return ReadResult("", {})
        if bucket is None:
            return ReadResult("", {})
        return ReadResult(id_, _to_outs(ref, bucket, str(props.get("owner"))))

    def update(self, id_: str, _olds: Any, news: Any) -> UpdateResult:
        args: BucketArgs = BucketArgs.from_props(news)
        ref, name = str(args.project_ref), str(args.name)
        with ManagementClient.from_env() as management, StorageClient.for_project(management, ref) as storage:
            storage.update_bucket(name, _settings(args))
            return UpdateResult(_to_outs(ref, storage.get_bucket(name), str(args.owner)))

    def delete(self, id_: str, props: Any) -> None:
        ref, name = id_.split("/", 1)
        with ManagementClient.from_env() as management:
            try:
                with StorageClient.for_project(management, ref) as storage:
                    storage.delete_bucket(name)
            except NotFound:
                return  # the project is gone, and its buckets with it
            except ApiError as exc:
                code = storage_code(exc)
                if code == "NoSuchBucket":
                    return
                if code == "ResourceNotEmpty":
                    raise ProviderError(
                        f"{API}: bucket {name!r} of project {ref} still holds objects, so it was not deleted "
                        f"(stagecraft never deletes files it did not put there). Empty it in the Supabase dashboard "
                        f"(Storage > {name} > select all > Delete), then run pulumi destroy again") from None
                raise


class Bucket(pulumi.dynamic.Resource, module="supabase", name="Bucket"):
    """A Supabase Storage bucket. Outputs add ``endpoint`` (the project's Storage API); ``id`` is `<ref>/<name>`."""

    project_ref: pulumi.Output[str]
    name: pulumi.Output[str]
    owner: pulumi.Output[str]
    public: pulumi.Output[bool]
    file_size_limit: pulumi.Output[Optional[int]]
    allowed_mime_types: pulumi.Output[list]
    endpoint: pulumi.Output[str]

    def __init__(self, resource_name: str, args: BucketArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(BucketProvider(), resource_name, {**args.to_props(), "endpoint": None}, opts)
