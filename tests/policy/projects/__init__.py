"""Small Pulumi projects the engine tests run the policy pack against (not imported by tests)."""
