"""Vercel: what the official pulumiverse-vercel provider needs from us (the prebuilt output of a build)."""

TOKEN_VAR = "VERCEL_API_TOKEN"
"""Environment variable the official provider reads its API token from (pulumiverse_vercel 1.15.0 `provider.py`)."""
CONFIG_KEY = "vercel:apiToken"
"""The provider's config key for the same token (a Pulumi secret)."""
