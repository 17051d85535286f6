"""stagecraft: load the stack's settings, build the product's environment, export what the apps consume."""

from pathlib import Path

import pulumi

from components.environment import ProductEnvironment
from settings.preflight import preflight
from settings.pulumi_source import current_config_values, settings_from_pulumi

settings = settings_from_pulumi()
preflight(settings, config_keys=set(current_config_values()))
environment = ProductEnvironment("product", settings, project_root=Path(__file__).resolve().parent)
for key, value in environment.stack_outputs().items():
    pulumi.export(key, value)
