"""stagecraft's CrossGuard policy pack: free tiers, budgets, secrets, isolation and the production gate.

Self-contained: nothing here imports the Pulumi program. ``policies/__main__.py`` only assembles the pack from
:mod:`stagecraft_guard.pack`; the rules live in :mod:`stagecraft_guard.rules`, one module per rule family, and
the free-tier facts in ``policies/limits/*.toml``.
"""
