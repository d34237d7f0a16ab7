"""Settings, all read from the environment (django-environ).

Nothing differs between environments except what the environment says. The
defaults make a newcomer's first run work (SQLite, DEBUG on, e-mail on the
console); production sets DEBUG=false and must then provide SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL or the process refuses to start.
"""

import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.locales import bidi_languages, languages_in

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


# A bad value stops the start with one line naming the setting (never its
# value, which may hold a password).
def env_int(name: str, default: int) -> int:
    try:
        return env.int(name, default=default)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from None


DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with a staff site that requires a second factor.
    "config.apps.StaffAdminConfig",
    # manage.py changepassword through the staff-account service (it must come
    # before django.contrib.auth, whose own command it replaces).
    "pupils.authcommands",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The task queue's table (django.tasks with a PostgreSQL-backed queue).
    "django_tasks_db",
    "pupils",
    "providers",
    "consent",
    "sharing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages answered from this process's copy (providers/middleware.py):
    # inside SecurityMiddleware, before sessions, language and sign-in.
    "providers.middleware.PublicPageMiddleware",
    # Django's CSP middleware with the header built once (config/csp.py).
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page language (config/language.py): switcher cookie, Accept-Language;
    # the staff site in English.
    "config.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pupils.staff.middleware.StaffOTPMiddleware",  # django-otp's, device read with the user
    # Second factor required, idle and absolute session limits, no-store.
    "pupils.staff.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# Production runs on PostgreSQL: the append-only guards of the audit trail,
# the consent records and the disclosure log are database triggers that
# SQLite lacks. ALLOW_SQLITE_IN_PRODUCTION is for checks (make check), not
# for serving a school.
ALLOW_SQLITE_IN_PRODUCTION = env.bool("ALLOW_SQLITE_IN_PRODUCTION", default=False)
if not DEBUG and not env.str("DATABASE_URL", default="") and not ALLOW_SQLITE_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "DATABASE_URL must be set when DEBUG is off (postgres://user:password@host:5432/name)."
    )


def _database(url: str) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # django-environ warns, then returns no ENGINE
        try:
            config = environ.Env.db_url_config(url)
        except (ValueError, KeyError):
            config = {}
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(
            "DATABASE_URL is not a database URL: use postgres://user:password@host:5432/name."
        )
    sqlite = config["ENGINE"] == "django.db.backends.sqlite3"
    if sqlite and not DEBUG and not ALLOW_SQLITE_IN_PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be PostgreSQL when DEBUG is off.")
    return config


DATABASES = {
    "default": _database(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: without them every page pays for a new
    # PostgreSQL connection (about four times the cost of the page itself).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every server process: rate limits and cached public pages must
# agree between gunicorn workers, so the default is the database cache.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://django_cache")}

# --- Auth -----------------------------------------------------------------
# ModelBackend with a signed-in request's reads folded together (issue 17).
AUTHENTICATION_BACKENDS = ["pupils.staff.backends.StaffBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Staff second factor (django-otp): the name shown in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Pupil data protection")

# --- Language and time ----------------------------------------------------
# Legal deadlines count the school's local dates.
TIME_ZONE = "Europe/London"
USE_TZ = True

# --- Languages of the parents' pages (docs/translations.md) ----------------
# English plus one language per compiled translation in locale/: adding a
# language is adding its folder. The staff site stays in English.
LANGUAGE_CODE = "en-gb"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = languages_in(BASE_DIR / "locale")
# Django's own right-to-left list (get_language_bidi) from the same details.
LANGUAGES_BIDI = bidi_languages(LANGUAGES)
# The switcher's choice lives in this cookie (parents' pages write no session).
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"  # config/language.py sets the same

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"  # None in tests (settings_test)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


# --- E-mail ---------------------------------------------------------------
def _mailer_from_url(url: str) -> dict:
    """EMAIL_URL as a Django 6.1 MAILERS entry."""
    try:
        config = environ.Env.email_url_config(url)
    except (ImproperlyConfigured, ValueError, KeyError):
        raise ImproperlyConfigured(
            "EMAIL_URL is not a mail URL: use smtp+tls://user:password@host:587, "
            "filemail:///absolute/path or consolemail://."
        ) from None
    backend = config["EMAIL_BACKEND"]
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": config.get("EMAIL_HOST") or "localhost",
            "port": config.get("EMAIL_PORT") or 25,
            "username": config.get("EMAIL_HOST_USER") or "",
            "password": config.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": 20,
        }
    elif backend.endswith("filebased.EmailBackend"):
        # filemail:///abs/path is /abs/path (django-environ drops the leading /).
        path = unquote(urlsplit(url).path)
        options = {"file_path": path if path not in ("", "/") else str(BASE_DIR / "var" / "mail")}
    return {"BACKEND": backend, "OPTIONS": options}


# EMAIL_URL: consolemail:// (default), filemail:///path, smtp+tls://user:pass@host:587
# Production must say how mail leaves: the console backend would drop it.
_email_url = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "")
if not _email_url:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DEBUG is off (e.g. smtp+tls://user:password@host:587)."
    )
MAILERS = {"default": _mailer_from_url(_email_url)}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="office@school.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sessions live in the database with their owner (pupils.staff.sessions), so that
# signing out, a password change or deactivation ends all of them.
SESSION_ENGINE = "pupils.staff.sessions"
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
# A session is written only when it changes: the idle clock is moved on at most
# once a minute (a tenth of SESSION_IDLE_SECONDS if shorter; pupils.staff.middleware),
# so a session ends between SESSION_IDLE_SECONDS minus that and SESSION_IDLE_SECONDS
# after the last request.
SESSION_LAST_SEEN_EVERY_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- Application ----------------------------------------------------------
# Key(s) for encrypting free-text special category fields; the first encrypts,
# all decrypt (so keys can be rotated). A development key is derived from
# SECRET_KEY when DEBUG is on.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not DEBUG and not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")


def _check_fernet_keys(keys: list[str]) -> None:
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                '`python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`).'
            ) from None


_check_fernet_keys(FIELD_ENCRYPTION_KEYS)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The request logger would print full URLs (which may carry consent
    # tokens) on 4xx/5xx: keep it at ERROR and rely on the audit trail.
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- Background work --------------------------------------------------------
# Django's tasks framework; the queue is a table in the same database
# (django-tasks-db), so the workers need nothing but DATABASE_URL. Run them
# with `manage.py worker` (docs/operations.md).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A worker touches its heartbeat every TASK_HEARTBEAT_SECONDS; a task left
# running by a worker not seen for TASK_WORKER_LEASE_SECONDS is run again.
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 10)
TASK_WORKER_LEASE_SECONDS = env_int("TASK_WORKER_LEASE_SECONDS", 60)
if TASK_WORKER_LEASE_SECONDS < 2 * TASK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "TASK_WORKER_LEASE_SECONDS must be at least twice TASK_HEARTBEAT_SECONDS."
    )
# An e-mail is tried this many times (back-off in pupils.outbox) before it
# is marked failed for staff to see.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)

# Wall-clock limit of the response-PDF worker (sharing.access.pdf); the web
# server's timeout (config/gunicorn.py) is derived from it.
SAR_PDF_TIMEOUT_SECONDS = env_int("SAR_PDF_TIMEOUT_SECONDS", 120)

# --- Consent links ----------------------------------------------------------
# How long a parent's consent-form link works (days).
CONSENT_LINK_DAYS = env_int("CONSENT_LINK_DAYS", 30)
if CONSENT_LINK_DAYS < 1:
    raise ImproperlyConfigured("CONSENT_LINK_DAYS must be at least 1.")
# Where links in e-mails point when a school has no public host name of its own.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")
