"""Values Supabase accepts, as constants: the settings validate against them without loading the provider or its
HTTP client."""

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-east-1", "ap-southeast-1", "ap-northeast-1",
           "ap-northeast-2", "ap-southeast-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-central-1",
           "eu-central-2", "ca-central-1", "ap-south-1", "sa-east-1")
"""The region codes of the spec's `region_selection` (the codes `GET /v1/projects/available-regions` lists)."""
BUCKET_NAME = r"[a-z0-9][a-z0-9._-]{0,98}[a-z0-9]"
BUCKET_HINT = ("use 2-100 lower-case letters, digits, dots, dashes and underscores (Supabase allows more, but the "
               "bucket name is also the S3 bucket name)")
