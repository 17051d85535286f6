"""Provider tests: the shared HTTP layer (mock transport) and each dynamic provider against its emulator."""
