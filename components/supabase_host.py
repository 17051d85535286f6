"""SupabaseHost: the stack's Supabase project, created once and handed to the components that live in it.

DESIGN §4 "Platform hosts": the database (PostgresBranch) and the Storage bucket (ObjectBucket) both live in one
Supabase project; neither creates it. The environment makes this host when either of them is on `supabase`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pulumi


@dataclass(frozen=True)
class SupabaseHostArgs:
    """The project's physical name, where it lives and who owns it."""

    physical_name: str
    """`<project>-<stack>-db`: the Supabase project name."""
    organization_slug: str
    """Organization the project is made in."""
    region: str
    """Region code, e.g. `eu-central-1`."""
    plan: str
    """The organization's plan (`free`), for the policy pack."""
    owner: str
    """The stack that owns the project, `<project>/<stack>` (marked in its database)."""
    db_password: pulumi.Input[str]
    """Password of the database's `postgres` role (a generated secret)."""
    protect: bool = False
    """Protect the project from deletion (production data)."""


class SupabaseHost(pulumi.ComponentResource):
    """One Supabase project: its database, Storage API and server-side key."""

    ref: pulumi.Output[str]
    """Project ref (20 letters)."""
    pooler_host: pulumi.Output[str]
    """Host of the Supavisor pooler (reachable over IPv4, unlike the direct database host on the free plan)."""
    storage_url: pulumi.Output[str]
    """The project's Storage API (`https://<ref>.supabase.co/storage/v1`)."""
    service_key: pulumi.Output[str]
    """The project's server-side key (secret): the Storage API accepts it for the backend."""

    def __init__(self, name: str, args: SupabaseHostArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:SupabaseHost", name, None, opts)
        from providers.supabase.project import Project, ProjectArgs

        self._password = pulumi.Output.secret(args.db_password)
        self.project = Project(f"{name}-project", ProjectArgs(
            name=args.physical_name, organization_slug=args.organization_slug, region=args.region, owner=args.owner,
            db_pass=self._password, plan=args.plan), opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.owner = args.owner
        self.ref = self.project.id
        self.pooler_host = self.project.pooler_host
        self.storage_url = self.project.storage_url
        self.service_key = pulumi.Output.secret(self.project.service_key)
        self.register_outputs({"ref": self.ref, "pooler_host": self.pooler_host, "storage_url": self.storage_url,
                               "service_key": self.service_key})

    def connection_uri(self) -> pulumi.Output[str]:
        """`postgresql://postgres.<ref>:<password>@<pooler>:5432/postgres?sslmode=require` (session mode; secret)."""
        parts = pulumi.Output.all(self.project.pooler_user, self._password, self.project.pooler_host,
                                  self.project.pooler_port, self.project.database)
        return pulumi.Output.secret(parts.apply(
            lambda p: f"postgresql://{quote(p[0], safe='')}:{quote(p[1], safe='')}@{p[2]}:{int(p[3])}/{p[4]}"
                      f"?sslmode=require"))
