"""The region and plan values Upstash accepts for a Redis database, as upstash.openapi.yml lists them
(CreateDatabaseRequest). Constants only: the settings validate against them without loading the HTTP client."""

AWS_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-central-1", "eu-west-1",
               "eu-west-2", "sa-east-1", "ap-south-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2",
               "af-south-1")
GCP_REGIONS = ("us-central1", "us-east4", "europe-west1", "asia-northeast1")
READ_REGIONS = tuple(r for r in AWS_REGIONS if r != "af-south-1")
"""Read replicas are not offered in af-south-1."""
PLANS = ("free", "payg", "fixed_250mb", "fixed_1gb", "fixed_5gb", "fixed_10gb", "fixed_50gb", "fixed_100gb",
         "fixed_500gb")
PLATFORM_REGIONS = {"aws": AWS_REGIONS, "gcp": GCP_REGIONS}
