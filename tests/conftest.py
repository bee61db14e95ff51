"""Shared test settings.

Property tests are deterministic: the same examples on every run and no example database, so a
failure seen once is seen again by whoever runs the suite next.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "iameval",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("iameval")
