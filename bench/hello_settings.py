"""The project's settings with a one-view URLconf: the hello-world baseline
for bench_privacy.py (same middleware, same server settings)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.hello_urls"
