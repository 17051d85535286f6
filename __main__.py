"""stagecraft: load the stack's settings, build what they describe, export what the apps and other stacks consume."""

import os
from pathlib import Path

import pulumi

from components.program import build_stack
from settings.pulumi_source import deployable_settings

PROJECT_ROOT = Path(__file__).resolve().parent

settings = deployable_settings(PROJECT_ROOT)
stack = build_stack(settings, project_root=PROJECT_ROOT, environ=os.environ)
for key, value in stack.stack_outputs().items():
    pulumi.export(key, value)
