"""Values Koyeb accepts, as constants: the settings validate against them without loading the provider or its
HTTP client."""

DNS_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
