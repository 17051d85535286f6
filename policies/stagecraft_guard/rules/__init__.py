"""One module per rule family; each exposes ``NAME``, its config schema and parser, a pure ``check`` and ``policy()``."""
