"""The pydantic configuration every settings model shares (DESIGN §3).

Frozen, unknown keys refused (a typo fails instead of being ignored), and camelCase config keys for snake_case
fields (`stagecraft:backend` -> `healthCheckPath` is `health_check_path`).
"""

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

SETTINGS_MODEL = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)
