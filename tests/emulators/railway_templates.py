"""The Railway database templates the emulator serves (`template(code: "postgres" | "redis")`).

Shape (platform-apis.md section 3 "Postgres and Redis"; railwayapp/cli `src/commands/deploy.rs`
`fetch_and_create`, `src/controllers/template_apply.rs`): `serializedConfig` is a JSON object whose `services`
map is keyed by template-service id; each service has a `name`, a `source.image`, `variables` (each with
`defaultValue`, `description`, `isOptional`), `volumeMounts` keyed by volume id with a `mountPath`, and
networking (a TCP proxy for the database port). Written here in our own words from those sources:

- Postgres runs Railway's own image `ghcr.io/railwayapp-templates/postgres-ssl` (its README: "when you deploy
  Postgres from the official Postgres template on Railway, the image that is used is built from this
  repository"); its Dockerfile.17 installs `postgresql-17-pgvector` (railwayapp-templates/postgres-ssl at
  0d5e736a), so `vector` is available on the stock template, and `pg_trgm` / `uuid-ossp` ship with PostgreSQL.
- Variable names are the ones the stock templates expose (`DATABASE_URL` over the private network,
  `DATABASE_PUBLIC_URL` over the TCP proxy, `PG*`, `POSTGRES_*`; Redis `REDIS_URL`, `REDIS_PUBLIC_URL`,
  `REDISHOST`, ...). The `${{ secret(n) }}` generator syntax of default values is **UNCONFIRMED**.
"""

from __future__ import annotations

from typing import Any

POSTGRES_IMAGE = "ghcr.io/railwayapp-templates/postgres-ssl:17"
REDIS_IMAGE = "redis:8.2.1"


def _var(default: str, description: str = "", optional: bool = False) -> dict[str, Any]:
    return {"defaultValue": default, "description": description, "isOptional": optional}


POSTGRES_CONFIG: dict[str, Any] = {
    "services": {
        "0b7c1e52-5d2a-4f43-9b8e-2f4a6f0d0c11": {
            "name": "Postgres",
            "icon": "https://devicons.railway.com/i/postgresql.svg",
            "source": {"image": POSTGRES_IMAGE},
            "variables": {
                "PGDATA": _var("/var/lib/postgresql/data/pgdata", "Where the cluster lives on the volume"),
                "POSTGRES_DB": _var("railway", "Default database"),
                "POSTGRES_USER": _var("postgres", "Superuser name"),
                "POSTGRES_PASSWORD": _var('${{ secret(32, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") }}',
                                          "Superuser password"),
                "PGHOST": _var("${{RAILWAY_PRIVATE_DOMAIN}}"),
                "PGPORT": _var("5432"),
                "PGUSER": _var("${{POSTGRES_USER}}"),
                "PGPASSWORD": _var("${{POSTGRES_PASSWORD}}"),
                "PGDATABASE": _var("${{POSTGRES_DB}}"),
                "DATABASE_URL": _var(
                    "postgresql://${{PGUSER}}:${{POSTGRES_PASSWORD}}@${{RAILWAY_PRIVATE_DOMAIN}}:5432/${{PGDATABASE}}",
                    "Connection URL over the private network"),
                "DATABASE_PUBLIC_URL": _var(
                    "postgresql://${{PGUSER}}:${{POSTGRES_PASSWORD}}@${{RAILWAY_TCP_PROXY_DOMAIN}}:"
                    "${{RAILWAY_TCP_PROXY_PORT}}/${{PGDATABASE}}", "Connection URL over the public TCP proxy"),
                "SSL_CERT_DAYS": _var("820", "Lifetime of the self-signed certificate", optional=True),
            },
            "volumeMounts": {"5d0e3b7a-8f6c-4c1e-a2d3-6b9f0e1c2a44": {"mountPath": "/var/lib/postgresql/data"}},
            "networking": {"tcpProxies": {"5432": {}}, "serviceDomains": {}},
            "deploy": {"healthcheckPath": None, "numReplicas": 1},
        }
    }
}

REDIS_CONFIG: dict[str, Any] = {
    "services": {
        "7a4e9c10-2b6d-4e8f-9c3a-1d5e7f9b2c66": {
            "name": "Redis",
            "icon": "https://devicons.railway.com/i/redis.svg",
            "source": {"image": REDIS_IMAGE},
            "variables": {
                "REDIS_PASSWORD": _var('${{ secret(32, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") }}'),
                "REDISUSER": _var("default"),
                "REDISHOST": _var("${{RAILWAY_PRIVATE_DOMAIN}}"),
                "REDISPORT": _var("6379"),
                "REDISPASSWORD": _var("${{REDIS_PASSWORD}}"),
                "REDIS_URL": _var("redis://${{REDISUSER}}:${{REDIS_PASSWORD}}@${{REDISHOST}}:${{REDISPORT}}",
                                  "Connection URL over the private network"),
                "REDIS_PUBLIC_URL": _var(
                    "redis://${{REDISUSER}}:${{REDIS_PASSWORD}}@${{RAILWAY_TCP_PROXY_DOMAIN}}:${{RAILWAY_TCP_PROXY_PORT}}",
                    "Connection URL over the public TCP proxy"),
            },
            "volumeMounts": {"9e2b4d6f-1a3c-4e5f-8b7d-0c2e4a6f8b99": {"mountPath": "/data"}},
            "networking": {"tcpProxies": {"6379": {}}, "serviceDomains": {}},
            "deploy": {"startCommand": "redis-server --requirepass $REDIS_PASSWORD", "numReplicas": 1},
        }
    }
}

TEMPLATES: dict[str, dict[str, Any]] = {
    "postgres": {"id": "6a1b2c3d-0000-4000-8000-00000000a001", "name": "Postgres", "config": POSTGRES_CONFIG},
    "redis": {"id": "6a1b2c3d-0000-4000-8000-00000000a002", "name": "Redis", "config": REDIS_CONFIG},
}
"""Template code -> id, display name and serialized config (codes as `DatabaseType::to_slug` sends them)."""
