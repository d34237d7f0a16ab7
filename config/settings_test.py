"""Test settings: the production settings with only what a test run needs."""

import os

# Playwright runs its own event loop in the test thread; pytest-django's
# database set-up inside it needs this, in tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
FIELD_ENCRYPTION_KEYS = ["Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtbG9uZy1rZXk="]
STATIC_ROOT = None  # WhiteNoise serves from the finders in tests (no collectstatic)
WHITENOISE_USE_FINDERS = True
# Tasks run at once, in the test's process; tests of the real queue use the
# database backend explicitly (tests/pupils/test_worker.py).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
