"""Django settings for syncapp: everything comes from the environment (or `.env`) through django-environ."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# `.env` is optional; variables already in the real environment win over it. SYNCAPP_ENV_FILE points
# elsewhere (tests use it to run without the developer's file).
environ.Env.read_env(env.str("SYNCAPP_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Put SECRET_KEY=<a long random string> in .env or the environment "
            "(`make run` writes one for you), or set DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-dev-only-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A TLS-terminating proxy (nginx, a load balancer) in front: see https and login throttling below.
BEHIND_HTTPS_PROXY = env.bool("BEHIND_HTTPS_PROXY", default=False)

INSTALLED_APPS = [
    "syncapp.apps.SyncAdminConfig",  # django.contrib.admin with the sync dashboard as its home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # before staticfiles, so runserver serves static like production
    "django.contrib.staticfiles",
    "django_q",
    "axes",
    "syncapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # right after SecurityMiddleware, as WhiteNoise documents
    # Outside the session's middleware, so the session saved after a login waits as briefly as the view's
    # writes; after WhiteNoise, so static files open no database connection.
    "core.middleware.WriteLockBusy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.NulCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes documents: it answers a locked-out login
]

ROOT_URLCONF = "core.urls"
WSGI_APPLICATION = "core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------------
# The default is an absolute path: a relative sqlite URL would follow the CWD and the worker could open
# another file than the web server.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'syncapp.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASE_IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# SQLite has one writer; a write waits this long for it before failing with "database is locked". The worker
# and the commands wait long: one CREATE INDEX after a big initial load holds the lock for tens of seconds
# (the activity log's, at a million people), and a task's result must not be lost to it. A web request waits
# less (core.middleware.WriteLockBusy), then answers 503 "try again in a minute": long enough to outlast one
# index build at a million people (a probe, 5,000,000 log rows: with 10 s 2 of 20 clicks during the rebuild
# failed, with 20 s none of 18), well short of a proxy's 60 s.
SQLITE_BUSY_SECONDS = env.float("SQLITE_BUSY_SECONDS", default=300.0)
SQLITE_REQUEST_BUSY_SECONDS = env.float("SQLITE_REQUEST_BUSY_SECONDS", default=20.0)
if DATABASE_IS_SQLITE:
    VAR_DIR.mkdir(exist_ok=True)  # SQLite creates the file, not its folder
    # WAL + IMMEDIATE transactions + a long busy timeout: without them, concurrent qcluster workers get
    # "database is locked" (measured in specs/ecosystem.md §1.6: 74/300 tasks failed, 0 with these).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA busy_timeout={round(SQLITE_BUSY_SECONDS * 1000)}; PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_SECONDS,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Set in Python: `?conn_health_checks=false` in a URL would become the truthy string "false".
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and task queue ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# A shared cache: django-q2 keeps cluster stats in it, and LocMem is per process.
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL or "dbcache://syncapp_cache"
CACHES = {"default": env.cache_url_config(CACHE_URL)}

# The longest task is one sync cycle; an initial load of millions of rows is split into resumable cycles,
# so one cycle is bounded by SYNC_CYCLE_TIMEOUT. `retry` must exceed it, or the ORM broker silently runs the
# same task twice (specs/ecosystem.md §1.6).
Q_TIMEOUT = env.int("Q_TIMEOUT", default=3600)
Q_CLUSTER = {
    "name": env.str("Q_NAME", default="syncapp"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": Q_TIMEOUT,
    "retry": env.int("Q_RETRY", default=Q_TIMEOUT + 600),
    "max_attempts": 1,  # 0 would mean redeliver forever; transient Salesforce errors are retried inside tasks
    "ack_failures": True,
    "catch_up": False,  # after downtime run once, do not replay every missed 5-minute slot
    "save_limit": 1000,
    "queue_limit": 50,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # Seconds the idle ORM broker waits before looking for new tasks: a flow action clicked in the admin
    # waits half of this on average before a worker picks it up (one indexed SELECT per poll).
    Q_CLUSTER["poll"] = env.float("Q_POLL", default=0.2)

# --- Salesforce -------------------------------------------------------------------------------------------
SALESFORCE_LOGIN_URL = env.str("SALESFORCE_LOGIN_URL", default="https://login.salesforce.com").rstrip("/")
SALESFORCE_AUTH_FLOW = env.str("SALESFORCE_AUTH_FLOW", default="client_credentials")
SALESFORCE_CLIENT_ID = env.str("SALESFORCE_CLIENT_ID", default="")
SALESFORCE_CLIENT_SECRET = env.str("SALESFORCE_CLIENT_SECRET", default="")
SALESFORCE_USERNAME = env.str("SALESFORCE_USERNAME", default="")
SALESFORCE_PASSWORD = env.str("SALESFORCE_PASSWORD", default="")
SALESFORCE_SECURITY_TOKEN = env.str("SALESFORCE_SECURITY_TOKEN", default="")
SALESFORCE_PRIVATE_KEY_FILE = env.str("SALESFORCE_PRIVATE_KEY_FILE", default="")
SALESFORCE_API_VERSION = env.str("SALESFORCE_API_VERSION", default="62.0")
SALESFORCE_CA_BUNDLE = env.str("SALESFORCE_CA_BUNDLE", default="")
SALESFORCE_TIMEOUT = env.float("SALESFORCE_TIMEOUT", default=60.0)

# --- The sync -----------------------------------------------------------------------------------------------
# Re-read this many seconds before the high-water mark each cycle: Salesforce stamps whole seconds and
# commits late, so a record can appear with a stamp older than one already seen.
SYNC_OVERLAP_SECONDS = env.int("SYNC_OVERLAP_SECONDS", default=60)
# A cycle's lease; extended while it makes progress, so a crashed worker blocks the sync this long at most.
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", default=600)
# Flow actions: a new lead carries the person's key in this external-id field when the org has it (the
# demo org's Sync_Key__c), so a retried Sync Person to SFDC upserts instead of creating a second lead.
SALESFORCE_LEAD_KEY_FIELD = env.str("SALESFORCE_LEAD_KEY_FIELD", default="Sync_Key__c")
SYNC_KEY_PREFIX = env.str("SYNC_KEY_PREFIX", default="syncapp-")
# A flow task (up to 200 people) is killed after this many seconds; a run still "running" a minute after
# that belonged to a dead worker, and the next worker start re-queues it once.
FLOW_TASK_TIMEOUT = env.int("FLOW_TASK_TIMEOUT", default=300)

# --- Auth, i18n, static -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords in a row for one username from one
# address, that pair is locked out for LOGIN_LOCKOUT_MINUTES, the right password included. A superuser lifts
# a lockout early in the admin (Access attempts → delete) or with `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: it refuses a locked-out login before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a correct login forgets the earlier typos
AXES_VERBOSE = False  # no "AXES: BEGIN" line at the start of every management command
AXES_LOCKOUT_CALLABLE = "syncapp.admin.lockout.lockout_response"
# Behind a TLS proxy every request comes from the proxy: the client is the address it appended to
# X-Forwarded-For (without this, one attacker would lock a username out for everyone).
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip" if BEHIND_HTTPS_PROXY else None

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One date format on every page (2026-11-30 14:05), not English prose dates ("Nov. 30, 2026, 2:05 p.m.").
FORMAT_MODULE_PATH = ["core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# --- Production hardening (off in DEBUG so the local demo works over plain http) ---------------------------
# Served over https only: plain http is redirected and browsers are told (HSTS) to never use it again, for a
# year, subdomains included, and the domain may be preloaded into browsers. Behind a TLS-terminating proxy,
# BEHIND_HTTPS_PROXY=true lets Django trust its X-Forwarded-Proto (without it, every redirected request
# would come back as http and loop); a proxy that redirects by itself may set SECURE_SSL_REDIRECT=false.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_HTTPS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
