"""Values Railway accepts, as constants: the settings validate against them without loading the provider or its
HTTP client."""

REGIONS = ("us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a")
"""Region ids Railway deploys to (``regions { region }``; as the CLI's and the TF provider's tests name them)."""
