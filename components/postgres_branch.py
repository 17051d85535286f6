"""PostgresBranch: the app's PostgreSQL database, with `vector`, `pg_trgm` and `uuid-ossp` enabled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
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
    neon_project_id: pulumi.Input[str] | None = None
    """The foundation's Neon project every Neon-backed stack works in (platform `neon`)."""
    neon_mode: Literal["root", "schema-only", "fork"] = "schema-only"
    """`root`: production's database on the project's root branch `main`; `schema-only`: a branch of its own that
    starts with `neon_parent_branch_id`'s schema and none of its data (a new root branch); `fork`: a copy of
    `neon_parent_branch_id`'s data (a PR's branch of its base's)."""
    neon_parent_branch_id: pulumi.Input[str] | None = None
    """`root`: the root branch itself; `schema-only`: the branch whose schema is copied; `fork`: the parent."""
    neon_root_endpoint_host: pulumi.Input[str] | None = None
    """`root`: the host of the root branch's read-write compute (made with the project)."""
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
    branch_id: pulumi.Output[str]
    """The platform's id of the branch (Neon: `br-...`); "" where the platform has no branches."""
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
        self.branch_id = pulumi.Output.from_input("")
        uri, host = builders[args.platform](name, args)
        self.connection_uri = pulumi.Output.secret(uri)
        self.service_connection_uri = pulumi.Output.secret(self.service_connection_uri or self.connection_uri)
        self.host = pulumi.Output.from_input(host)
        self.branch = pulumi.Output.from_input(args.branch)
        self.register_outputs({"connection_uri": self.connection_uri, "host": self.host,
                               "database": self.database, "branch": self.branch, "branch_id": self.branch_id,
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
        from providers.neon.branch import SCHEMA_ONLY, Branch, BranchArgs
        from providers.neon.database import Database, DatabaseArgs
        from providers.neon.endpoint import Endpoint, EndpointArgs
        from providers.neon.role import Role, RoleArgs
        from providers.postgres.extensions import Extensions, ExtensionsArgs

        if args.neon_project_id is None or args.neon_parent_branch_id is None:
            raise ValueError(f"PostgresBranch {name}: platform 'neon' needs the foundation's project and a parent branch")
        neon = args.neon or NeonSettings()
        project_id = args.neon_project_id
        data = pulumi.ResourceOptions(parent=self, protect=args.protect)
        if args.neon_mode == "root":
            # Production's database is the root branch's (the foundation's project made it with its compute).
            branch_id, host = args.neon_parent_branch_id, args.neon_root_endpoint_host
            if host is None:
                raise ValueError(f"PostgresBranch {name}: neon_mode 'root' needs the root branch's endpoint host")
        else:
            branch = Branch(f"{name}-branch", BranchArgs(
                project_id=project_id, name=args.branch, owner=args.owner, parent_id=args.neon_parent_branch_id,
                init_source=SCHEMA_ONLY if args.neon_mode == "schema-only" else None), opts=data)
            branch_id = branch.id
            host = Endpoint(f"{name}-endpoint", EndpointArgs(
                project_id=project_id, branch_id=branch_id, type="read_write", owner=args.owner,
                autoscaling_limit_min_cu=neon.min_cu, autoscaling_limit_max_cu=neon.max_cu,
                suspend_timeout_seconds=neon.suspend_timeout_seconds),
                opts=pulumi.ResourceOptions(parent=self)).host
        # The role holds the password the backend connects with: as protected as the data in production.
        role = Role(f"{name}-role", RoleArgs(project_id=project_id, branch_id=branch_id, name=args.role,
                                             owner=args.owner), opts=data)
        database = Database(f"{name}-database", DatabaseArgs(project_id=project_id, branch_id=branch_id,
                                                             name=args.database, owner_name=role.name,
                                                             owner=args.owner), opts=data)
        uri = neon_connection_uri(role.name, role.password, host, database.name)
        if args.neon_mode != "fork":
            # A fork copies its parent's databases with their extensions; the others enable them here.
            Extensions(f"{name}-extensions", ExtensionsArgs(connection_uri=pulumi.Output.secret(uri),
                                                            extensions=list(args.extensions)),
                       opts=pulumi.ResourceOptions(parent=self, depends_on=[database]))
        self.branch_id = pulumi.Output.from_input(branch_id)
        return uri, host

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
