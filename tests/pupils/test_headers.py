"""Every response carries the security headers; production settings are strict."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]


def test_every_response_carries_the_security_headers(client, office_client):
    for response in (
        client.get(reverse("admin:login")),
        office_client.get(reverse("admin:index")),
        client.get("/no-such-page/"),
    ):
        csp = response["Content-Security-Policy"]
        # A nonce appears only when the page used one (Django adds it lazily).
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_admin_pages_allow_their_scripts_by_a_nonce_new_on_every_response(client):
    first = client.get(reverse("admin:login"))["Content-Security-Policy"]
    second = client.get(reverse("admin:login"))["Content-Security-Policy"]

    assert "'nonce-" in first and "'nonce-" in second
    assert first != second


def production_settings(**extra) -> dict:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "privacy.school.example",
        "EMAIL_URL": "smtp+tls://mail.school.example:587",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOW_SQLITE_IN_PRODUCTION": "true",  # no database is opened here
        **extra,
    }
    env.pop("DATABASE_URL", None)
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_IDLE_SECONDS",
        "SESSION_ABSOLUTE_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_production_cookies_are_secure_httponly_and_samesite():
    prod = production_settings()

    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"]
    assert prod["SESSION_COOKIE_HTTPONLY"] and prod["CSRF_COOKIE_HTTPONLY"]
    assert prod["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_SSL_REDIRECT"]
    assert prod["SESSION_IDLE_SECONDS"] == 30 * 60
    assert prod["SESSION_ABSOLUTE_SECONDS"] == 10 * 60 * 60
    assert prod["SECURE_PROXY_SSL_HEADER"] is None


def test_session_limits_and_the_proxy_come_from_the_environment():
    prod = production_settings(
        SESSION_IDLE_SECONDS="600", SESSION_ABSOLUTE_SECONDS="7200", BEHIND_TLS_PROXY="true"
    )

    assert prod["SESSION_IDLE_SECONDS"] == 600
    assert prod["SESSION_ABSOLUTE_SECONDS"] == 7200
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_hsts_is_sent_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get(reverse("admin:login"), secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_changed_policy_setting_is_sent_at_once(client, settings):
    # The header is built once per configuration, not once per process.
    assert "img-src 'self' data:" in client.get("/no-such-page/")["Content-Security-Policy"]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "img-src": ["'self'"]}

    csp = client.get("/no-such-page/")["Content-Security-Policy"]

    assert "img-src 'self';" in csp and "data:" not in csp
