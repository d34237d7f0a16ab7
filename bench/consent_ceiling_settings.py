"""The project's settings with one extra page: the consent evening's
ceiling for bench_consent.py (same middleware, same server, same database)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.consent_ceiling_urls"
