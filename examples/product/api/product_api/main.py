"""The FastAPI app: `GET /api/health` runs every check concurrently and answers 200 (ok) or 503 (degraded).

Run it with `uvicorn product_api.main:app`; the settings are read at import, so a missing JWT_SECRET (or
any other required variable) stops the process before it listens.
"""

from __future__ import annotations

import asyncio
import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from .checks import MemoryStore, check_database, check_redis, check_storage
from .settings import Settings, load_settings


def create_app(settings: Settings) -> FastAPI:
    """The backend for ``settings``."""
    app = FastAPI(title="stagecraft product API", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_allow_origins), allow_methods=["GET"])
    memory = MemoryStore()

    @app.get("/api/health")
    async def health() -> JSONResponse:
        database, cache, storage = await asyncio.gather(
            asyncio.to_thread(check_database, settings),
            asyncio.to_thread(check_redis, settings, memory),
            asyncio.to_thread(check_storage, settings),
        )
        ok = database.ok and cache.ok and storage.ok
        body = {
            "status": "ok" if ok else "degraded",
            "environment": settings.environment,
            "checks": {"database": database.as_json(), "redis": cache.as_json(), "storage": storage.as_json()},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    return app


app = create_app(load_settings(os.environ))
