"""Node.js package trees for the build step: `npm_tree.ensure_tree` installs a lockfile's tree once per machine.

Import from the submodules; see providers/neon/__init__.py for why this file imports nothing.
"""
