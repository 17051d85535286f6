"""Values Render's API accepts (render.openapi), as constants: the settings validate against them without loading
the HTTP client."""

REGIONS = ("frankfurt", "oregon", "ohio", "singapore", "virginia")
"""Render's regions (spec `region`)."""
PAID_PLANS = ("starter", "standard", "pro", "pro_plus", "pro_max", "pro_ultra")
"""Plans the API can create a web service on (spec `paidPlan`); `free` is dashboard-only."""
KEY_VALUE_PLANS = ("free", "starter", "standard", "pro", "pro_plus")
MAXMEMORY_POLICIES = ("noeviction", "allkeys_lfu", "allkeys_lru", "allkeys_random", "volatile_lfu", "volatile_lru",
                      "volatile_random", "volatile_ttl")
SERVICE_ID = r"srv-[a-z0-9]{20}"
OWNER_ID = r"(tea|usr)-[a-z0-9]{20}"
