"""ObjectBucket: object storage for uploads (Cloudflare R2, or a local folder)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from providers.local.bucket_directory import BucketDirectory, BucketDirectoryArgs

if TYPE_CHECKING:
    from components.railway_host import RailwayHost
    from components.supabase_host import SupabaseHost


@dataclass(frozen=True)
class ObjectBucketArgs:
    """Where the bucket lives and its physical name."""

    platform: str
    """`r2`, `supabase`, `railway-volume` or `local`."""
    physical_name: str
    """`<project>-<stack>-<bucket>`: the bucket name."""
    cloudflare_account_id: str | None = None
    """Cloudflare account (platform `r2`)."""
    location: str | None = None
    """R2 location hint, one of the provider's values (`WNAM`, `ENAM`, `WEUR`, `EEUR`, `APAC`)."""
    local_root: str | None = None
    """Absolute folder holding local buckets (platform `local`)."""
    supabase: "SupabaseHost | None" = None
    """The stack's Supabase project (platform `supabase`): the bucket lives in its Storage."""
    railway: "RailwayHost | None" = None
    """The stack's Railway project and environment (platform `railway-volume`)."""
    owner: str = ""
    """The stack that owns the bucket, `<project>/<stack>` (platform `supabase`: named when the name is taken)."""
    protect: bool = False
    """Protect the bucket from deletion (production data)."""


class ObjectBucket(pulumi.ComponentResource):
    """An R2 bucket, or a local folder standing in for one."""

    bucket: pulumi.Output[str]
    """Bucket name."""
    endpoint: pulumi.Output[str]
    """S3 API endpoint (R2) or `file://` URL of the folder (local)."""
    access_key_id: pulumi.Output[str]
    """S3 access key id the backend signs with (empty for a local folder)."""
    secret_access_key: pulumi.Output[str]
    """S3 secret access key (secret; empty for a local folder)."""
    railway_volume: pulumi.CustomResource | None
    """The Railway volume (platform `railway-volume`), for the backend service that mounts it; None elsewhere."""

    def __init__(self, name: str, args: ObjectBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:ObjectBucket", name, None, opts)
        builders = {"r2": self._r2, "supabase": self._supabase, "railway-volume": self._railway_volume,
                    "local": self._local}
        self.railway_volume = None
        if args.platform not in builders:
            raise ValueError(f"ObjectBucket {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        bucket, endpoint, key_id, secret_key = builders[args.platform](name, args)
        self.bucket = pulumi.Output.from_input(bucket)
        self.endpoint = pulumi.Output.from_input(endpoint)
        self.access_key_id = pulumi.Output.from_input(key_id)
        self.secret_access_key = pulumi.Output.secret(secret_key)
        self.register_outputs({"bucket": self.bucket, "endpoint": self.endpoint, "access_key_id": self.access_key_id,
                               "secret_access_key": self.secret_access_key})

    def _local(self, name: str, args: ObjectBucketArgs) -> tuple[pulumi.Input[str], ...]:
        if not args.local_root:
            raise ValueError(f"ObjectBucket {name}: platform 'local' needs local_root")
        folder = BucketDirectory(f"{name}-directory",
                                 BucketDirectoryArgs(path=os.path.join(args.local_root, args.physical_name)),
                                 opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        return args.physical_name, folder.path.apply(lambda path: f"file://{path}"), "", ""

    def _railway_volume(self, name: str, args: ObjectBucketArgs) -> tuple[pulumi.Input[str], ...]:
        from providers.railway.volume import Volume, VolumeArgs

        host = args.railway
        if host is None:
            raise ValueError(f"ObjectBucket {name}: platform 'railway-volume' needs the stack's RailwayHost")
        mount_path = f"{RAILWAY_VOLUME_ROOT}/{args.physical_name}"
        # A folder on a volume the backend service mounts (BackendService attaches it): no S3 API, no keys.
        self.railway_volume = Volume(f"{name}-volume", VolumeArgs(
            project_id=host.project_id, environment_id=host.environment_id, mount_path=mount_path),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        return args.physical_name, self.railway_volume.mount_path.apply(lambda path: f"file://{path}"), "", ""

    def _supabase(self, name: str, args: ObjectBucketArgs) -> tuple[pulumi.Input[str], ...]:
        from providers.supabase.bucket import Bucket, BucketArgs

        host = args.supabase
        if host is None:
            raise ValueError(f"ObjectBucket {name}: platform 'supabase' needs the stack's SupabaseHost")
        bucket = Bucket(f"{name}-bucket", BucketArgs(project_ref=host.ref, name=args.physical_name, owner=args.owner),
                        opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        # Supabase gives no S3 keys through its API, so the backend uses the Storage API with the project's
        # server-side key: no access key id, the key in the secret slot.
        return bucket.name, bucket.endpoint, "", host.service_key

    def _r2(self, name: str, args: ObjectBucketArgs) -> tuple[pulumi.Input[str], ...]:
        import pulumi_cloudflare as cloudflare

        account = args.cloudflare_account_id
        if not account:
            raise ValueError(f"ObjectBucket {name}: platform 'r2' needs cloudflare_account_id")
        bucket = cloudflare.R2Bucket(f"{name}-r2", account_id=account, name=args.physical_name,
                                     location=args.location,
                                     opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        # R2's S3 credentials are an API token scoped to this one bucket: the token id is the access key id and
        # the SHA-256 of its value the secret access key (Cloudflare R2 docs, "Authentication > API tokens").
        groups = cloudflare.get_api_token_permission_groups().r2
        token = cloudflare.ApiToken(f"{name}-s3-token", name=f"{args.physical_name}-s3", policies=[
            cloudflare.ApiTokenPolicyArgs(
                permission_groups=[groups[group] for group in R2_OBJECT_PERMISSIONS],
                resources={f"com.cloudflare.edge.r2.bucket.{account}_default_{args.physical_name}": "*"},
                effect="allow")],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket]))
        secret_key = token.value.apply(lambda value: hashlib.sha256(value.encode()).hexdigest())
        return bucket.name, f"https://{account}.r2.cloudflarestorage.com", token.id, secret_key


R2_OBJECT_PERMISSIONS = ("Workers R2 Storage Bucket Item Read", "Workers R2 Storage Bucket Item Write")
"""Cloudflare permission groups for reading and writing the objects of one bucket (and nothing else)."""


RAILWAY_VOLUME_ROOT = "/data"
"""Where a bucket's Railway volume is mounted in the backend's container: `/data/<bucket name>`."""
