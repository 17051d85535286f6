"""The stand-in product's backend: a FastAPI app whose `/api/health` proves its database, cache and storage work."""
