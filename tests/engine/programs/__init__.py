"""Small Pulumi programs the engine tests run in place of the project's own `__main__.py`."""
