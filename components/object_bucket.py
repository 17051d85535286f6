"""ObjectBucket: object storage for uploads (Cloudflare R2, or a local folder)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pulumi

from providers.local.bucket_directory import BucketDirectory, BucketDirectoryArgs


@dataclass(frozen=True)
class ObjectBucketArgs:
    """Where the bucket lives and its physical name."""

    platform: str
    """`r2` or `local`."""
    physical_name: str
    """`<project>-<stack>-<bucket>`: the bucket name."""
    cloudflare_account_id: str | None = None
    """Cloudflare account (platform `r2`)."""
    location: str | None = None
    """R2 location hint (`weur`, `enam`, ...)."""
    local_root: str | None = None
    """Absolute folder holding local buckets (platform `local`)."""
    protect: bool = False
    """Protect the bucket from deletion (production data)."""


class ObjectBucket(pulumi.ComponentResource):
    """An R2 bucket, or a local folder standing in for one."""

    bucket: pulumi.Output[str]
    """Bucket name."""
    endpoint: pulumi.Output[str]
    """S3 API endpoint (R2) or `file://` URL of the folder (local)."""

    def __init__(self, name: str, args: ObjectBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:ObjectBucket", name, None, opts)
        builders = {"r2": self._r2, "local": self._local}
        if args.platform not in builders:
            raise ValueError(f"ObjectBucket {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        bucket, endpoint = builders[args.platform](name, args)
        self.bucket = pulumi.Output.from_input(bucket)
        self.endpoint = pulumi.Output.from_input(endpoint)
        self.register_outputs({"bucket": self.bucket, "endpoint": self.endpoint})

    def _local(self, name: str, args: ObjectBucketArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        if not args.local_root:
            raise ValueError(f"ObjectBucket {name}: platform 'local' needs local_root")
        folder = BucketDirectory(f"{name}-directory",
                                 BucketDirectoryArgs(path=os.path.join(args.local_root, args.physical_name)),
                                 opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        return args.physical_name, folder.path.apply(lambda path: f"file://{path}")

    def _r2(self, name: str, args: ObjectBucketArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        import pulumi_cloudflare as cloudflare

        if not args.cloudflare_account_id:
            raise ValueError(f"ObjectBucket {name}: platform 'r2' needs cloudflare_account_id")
        bucket = cloudflare.R2Bucket(f"{name}-r2", account_id=args.cloudflare_account_id, name=args.physical_name,
                                     location=args.location.upper() if args.location else None,
                                     opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        return bucket.name, f"https://{args.cloudflare_account_id}.r2.cloudflarestorage.com"
