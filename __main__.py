"""stagecraft: load the stack's settings, build the product's environment, export what the apps consume."""

from pathlib import Path

import pulumi

from components.environment import ProductEnvironment
from settings.preflight import preflight
from settings.pulumi_source import current_config_values, settings_from_pulumi

PROJECT_ROOT = Path(__file__).resolve().parent

settings = settings_from_pulumi()
preflight(settings, config_keys=set(current_config_values()), project_root=PROJECT_ROOT)
environment = ProductEnvironment("product", settings, project_root=PROJECT_ROOT)
for key, value in environment.stack_outputs().items():
    pulumi.export(key, value)
