"""PostgresBranch: the app's PostgreSQL database, with `vector`, `pg_trgm` and `uuid-ossp` enabled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

import pulumi

from providers.local.postgres_database import PostgresDatabase, PostgresDatabaseArgs
from settings.models import LocalPostgresSettings, NeonSettings

if TYPE_CHECKING:
    from components.railway_host import RailwayHost
    from components.supabase_host import SupabaseHost


@dataclass(frozen=True)
class PostgresBranchArgs:
    """Where the database lives and what it is called."""

    platform: str
    """`neon`, `supabase`, `railway` or `local`."""
    physical_name: str
    """`<project>-<stack>-db`: the Neon project / branch name."""
    branch: str
    """Branch name (the stack name on Neon; `local` on the local server)."""
    database: str
    """Database name."""
    role: str
    """Role the app connects as."""
    extensions: tuple[str, ...]
    """Extensions to enable."""
    owner: str
    """The stack that owns the cloud resources, `<project>/<stack>` (marked on the Neon branch)."""
    local: LocalPostgresSettings | None = None
    """Server settings (platform `local`); `admin_password_file` must be absolute."""
    neon: NeonSettings | None = None
    """Neon settings (platform `neon`)."""
    supabase: "SupabaseHost | None" = None
    """The stack's Supabase project (platform `supabase`): its database is the app's."""
    railway: "RailwayHost | None" = None
    """The stack's Railway project and environment (platform `railway`): Postgres from Railway's template."""
    protect: bool = False
    """Protect the data resources from deletion (production)."""


def neon_connection_uri(role: pulumi.Input[str], password: pulumi.Input[str], host: pulumi.Input[str],
                        database: pulumi.Input[str]) -> pulumi.Output[str]:
    """`postgresql://role:password@host/database?sslmode=require` (Neon accepts TLS connections only)."""
    return pulumi.Output.all(role, password, host, database).apply(
        lambda p: f"postgresql://{quote(p[0], safe='')}:{quote(p[1], safe='')}@{p[2]}/{p[3]}?sslmode=require")


class PostgresBranch(pulumi.ComponentResource):
    """A database on the local server, or a Neon branch with its endpoint, role and database."""

    connection_uri: pulumi.Output[str]
    """`postgresql://...` URI the backend uses (secret)."""
    host: pulumi.Output[str]
    """Server host."""
    database: pulumi.Output[str]
    """Database name."""
    branch: pulumi.Output[str]
    """Branch name (`local` on the local server)."""
    service_connection_uri: pulumi.Output[str]
    """What a backend on the same platform host connects with (secret): on Railway the private-network reference
    `${{<postgres service>.DATABASE_URL}}` Railway resolves, given once the extensions are enabled; elsewhere
    `connection_uri`."""

    def __init__(self, name: str, args: PostgresBranchArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:PostgresBranch", name, None, opts)
        builders = {"neon": self._neon, "supabase": self._supabase, "railway": self._railway, "local": self._local}
        if args.platform not in builders:
            raise ValueError(f"PostgresBranch {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        self.database = pulumi.Output.from_input(args.database)
        self.service_connection_uri = None  # type: ignore[assignment]
        uri, host = builders[args.platform](name, args)
        self.connection_uri = pulumi.Output.secret(uri)
        self.service_connection_uri = pulumi.Output.secret(self.service_connection_uri or self.connection_uri)
        self.host = pulumi.Output.from_input(host)
        self.branch = pulumi.Output.from_input(args.branch)
        self.register_outputs({"connection_uri": self.connection_uri, "host": self.host,
                               "database": self.database, "branch": self.branch,
                               "service_connection_uri": self.service_connection_uri})

    def _local(self, name: str, args: PostgresBranchArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        server = args.local
        if server is None:
            raise ValueError(f"PostgresBranch {name}: platform 'local' needs local server settings")
        db = PostgresDatabase(
            f"{name}-database",
            PostgresDatabaseArgs(name=args.database, owner=args.role, extensions=list(args.extensions),
                                 host=server.host, port=server.port, admin_user=server.admin_user,
                                 admin_password_file=server.admin_password_file),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        return db.connection_uri, server.host

    def _neon(self, name: str, args: PostgresBranchArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        import pulumi_neon

        from providers.neon.branch import Branch, BranchArgs
        from providers.neon.database import Database, DatabaseArgs
        from providers.neon.endpoint import Endpoint, EndpointArgs
        from providers.neon.role import Role, RoleArgs
        from providers.postgres.extensions import Extensions, ExtensionsArgs

        neon = args.neon or NeonSettings()
        data = pulumi.ResourceOptions(parent=self, protect=args.protect)
        child = pulumi.ResourceOptions(parent=self)
        project = pulumi_neon.resource.Project(f"{name}-project", name=neon.project_name or args.physical_name,
                                               org_id=neon.org_id, opts=data)
        branch = Branch(f"{name}-branch", BranchArgs(project_id=project.id, name=args.branch, owner=args.owner,
                                                     parent_id=neon.parent_branch), opts=data)
        endpoint = Endpoint(f"{name}-endpoint", EndpointArgs(
            project_id=project.id, branch_id=branch.id, type="read_write", owner=args.owner,
            autoscaling_limit_min_cu=neon.min_cu, autoscaling_limit_max_cu=neon.max_cu,
            suspend_timeout_seconds=neon.suspend_timeout_seconds), opts=child)
        role = Role(f"{name}-role", RoleArgs(project_id=project.id, branch_id=branch.id, name=args.role,
                                             owner=args.owner), opts=child)
        database = Database(f"{name}-database", DatabaseArgs(project_id=project.id, branch_id=branch.id,
                                                             name=args.database, owner_name=role.name,
                                                             owner=args.owner), opts=data)
        uri = neon_connection_uri(role.name, role.password, endpoint.host, database.name)
        Extensions(f"{name}-extensions", ExtensionsArgs(connection_uri=pulumi.Output.secret(uri),
                                                        extensions=list(args.extensions)),
                   opts=pulumi.ResourceOptions(parent=self, depends_on=[database]))
        return uri, endpoint.host

    def _railway(self, name: str, args: PostgresBranchArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        from providers.postgres.extensions import Extensions, ExtensionsArgs
        from providers.railway.database import TemplateDatabase, TemplateDatabaseArgs

        host = args.railway
        if host is None:
            raise ValueError(f"PostgresBranch {name}: platform 'railway' needs the stack's RailwayHost")
        database = TemplateDatabase(f"{name}-database", TemplateDatabaseArgs(
            project_id=host.project_id, environment_id=host.environment_id, template="postgres", owner=args.owner),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        # Railway's template image ships pgvector (providers/railway/database.py); SQL goes over the TCP proxy.
        public_url = pulumi.Output.secret(database.public_url)
        extensions = Extensions(f"{name}-extensions", ExtensionsArgs(connection_uri=public_url,
                                                                     extensions=list(args.extensions)),
                                opts=pulumi.ResourceOptions(parent=self))
        # The template names its own database and user: report the ones the URI really holds.
        self.database = pulumi.Output.unsecret(public_url.apply(lambda uri: urlsplit(uri).path.lstrip("/")))
        self.service_connection_uri = pulumi.Output.all(database.private_url_reference, extensions.id).apply(
            lambda parts: parts[0])
        return public_url, pulumi.Output.unsecret(public_url.apply(lambda uri: urlsplit(uri).hostname or ""))

    def _supabase(self, name: str, args: PostgresBranchArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        from providers.supabase.extensions import Extensions, ExtensionsArgs

        host = args.supabase
        if host is None:
            raise ValueError(f"PostgresBranch {name}: platform 'supabase' needs the stack's SupabaseHost")
        # The project's own `postgres` database, through the pooler; extensions over the Management API's SQL.
        Extensions(f"{name}-extensions", ExtensionsArgs(project_ref=host.ref, extensions=list(args.extensions)),
                   opts=pulumi.ResourceOptions(parent=self))
        return host.connection_uri(), host.pooler_host
