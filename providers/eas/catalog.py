"""Values EAS accepts, as constants: the settings validate against them without loading the provider or its
HTTP client."""

NAME = r"[A-Za-z0-9][A-Za-z0-9._/-]*"
