"""stagecraft test suite."""
