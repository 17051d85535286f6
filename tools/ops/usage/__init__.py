"""`stagecraft usage`: each platform's usage from its own usage API, against the policy pack's free-tier tables.

The allowances are the `[[meter]]` and `[[quota]]` entries of policies/limits/*.toml (one source for the pack's
preview-time checks and for these run-time readings); a reading at 80 % of its allowance is a warning, at
100 % an error. A platform whose API gives no figure for an allowance says so instead of a number.
"""
