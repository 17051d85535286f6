"""Values Cloudflare Pages accepts, as constants: the settings validate against them without loading the provider or its
HTTP client."""

PROJECT_NAME = r"[a-z0-9]([a-z0-9-]{0,56}[a-z0-9])?"
