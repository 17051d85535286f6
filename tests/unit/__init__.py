"""Unit tests: config models and the program under pulumi.runtime.set_mocks."""
