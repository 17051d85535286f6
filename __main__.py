"""stagecraft: load the stack's settings, build what they describe, export what the apps and other stacks consume."""

import gc
import os
from pathlib import Path

import pulumi

from components.program import build_stack
from settings.pulumi_source import deployable_settings

PROJECT_ROOT = Path(__file__).resolve().parent

# The program's heap only grows until it exits (every resource, output and task lives to the end), so the cyclic
# collector's full passes over it found little and made registration grow quadratically with the stack: under
# mocks, 960 apps took 8.5 s with it and 3.2 s without, for 141 vs 151 MB peak (benchmarks/app_scaling.py).
gc.disable()

settings = deployable_settings(PROJECT_ROOT)
stack = build_stack(settings, project_root=PROJECT_ROOT, environ=os.environ)
for key, value in stack.stack_outputs().items():
    pulumi.export(key, value)
