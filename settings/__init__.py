"""Stack settings: the pydantic model tree (`models`), the app inventory, and loading from Pulumi config."""

from settings.load import ConfigError, load_settings, parse_raw_config
from settings.models import StackSettings

__all__ = ["ConfigError", "StackSettings", "load_settings", "parse_raw_config"]
