"""Static builds inside the Pulumi graph (DESIGN §4): `static_build.StaticBuild`
(`pulumi-python:dynamic/build:StaticBuild`), the digests it keys on (`digest`), the build itself
(`builder`), and pruning of unreferenced artifacts (`prune`).

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
