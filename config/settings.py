"""Settings, read from the environment and a `.env` file (see .env.example and config/env.py).

With nothing set the app runs in development mode on a SQLite file in the project
folder; production sets DATABASE_URL, SECRET_KEY, DEBUG=false and ALLOWED_HOSTS. A
variable of the real environment wins over the same name in `.env`; tests read no `.env`.
"""

import re

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env_bool, env_list, read_env_file
from config.env import ENV as env

read_env_file()

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

# Development answers on localhost only; production must list its hosts.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "orders.admin_site.BackOfficeAdminConfig",  # django.contrib.admin, with the dashboard
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # "3 hours ago" in the staff member's language
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "statuses",
    "notifications",
    "orders",
    "invoices",
]

MIDDLEWARE = [
    # Outermost: a request id on every API answer (and for the 500 handler's log line).
    "orders.api.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the language of every page but the API's (config/locale.py).
    "config.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # With DATABASE_REPLICA_URL: whether the request's reads may use the replica.
    "config.replica.ReplicaMiddleware",
]

# The API's paths have no trailing slash and clients do not follow redirects.
APPEND_SLASH = False

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": {
        **env.db_url_config(
            env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
        ),
        "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    }
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    if env_bool("DATABASE_POOL", False):
        raise ImproperlyConfigured("DATABASE_POOL needs PostgreSQL (a postgres:// DATABASE_URL).")
else:
    # PostgreSQL connections (docs/operations.md, "Database connections").
    if env_bool("DATABASE_POOL", False):
        # Django's pool (psycopg_pool), one per process: a request borrows a connection and
        # gives it back. It replaces the persistent connection, so CONN_MAX_AGE must be 0.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    # Behind PgBouncer in transaction mode: no cursor may outlive its transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", False
    )
    # Prepared statements: parameters bound by PostgreSQL, and a statement the connection
    # has run 5 times kept planned (psycopg's prepare_threshold). Django leaves them off for
    # poolers; on by default here, off by default behind PgBouncer in transaction mode
    # (the setting above), whose older versions cannot keep them (docs/operations.md).
    if env_bool(
        "DATABASE_PREPARED_STATEMENTS", not DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]
    ):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )

# A read replica for the API's reads (config/replica.py, docs/operations.md): a streaming
# standby of the primary. The tests use the primary under both names (MIRROR).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        # The primary's connection settings (pool, server-side cursors) apply to it too.
        **{
            key: DATABASES["default"][key]
            for key in ("CONN_MAX_AGE", "OPTIONS", "DISABLE_SERVER_SIDE_CURSORS")
            if key in DATABASES["default"]
        },
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
# How long a client that wrote reads the primary (its writes may not be on the replica yet).
REPLICA_STICKY_SECONDS = env.float("REPLICA_STICKY_SECONDS", default=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite (development, tests) builds the orders' covering indexes without their INCLUDE
# columns, which only PostgreSQL reads (docs/performance.md).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages (README, Languages) -----------------------------------------------
# Staff get their browser's language (Accept-Language) until they choose one in the back
# office's header (kept in the language cookie); a customer's page, e-mails, invoices and
# the API's *_word amounts are in their order's language (orders/language.py); the API's
# messages are always English. LANGUAGE_CODE is the language when nothing else says which:
# commands' output, a browser asking for none of LANGUAGES.
USE_I18N = True
LANGUAGES = [("en", _("English")), ("cs", _("Czech"))]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# The project's own catalogue (templates/, config/); each app has its own locale/.
LOCALE_PATHS = [BASE_DIR / "locale"]
# The choice outlives the browser session (Django's default cookie ends with it).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.storage.StaticFilesStorage"  # WhiteNoise's, gzip only
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- The shop -----------------------------------------------------------------
# The currency the shop keeps its books in; orders in other currencies carry a rate.
MAIN_CURRENCY = env.str("MAIN_CURRENCY", default="EUR").upper()
# Rates for orders in other currencies, as units of MAIN_CURRENCY per unit of the order's
# currency, e.g. "CZK=0.0400,USD=0.92". Used when a client sends no currency_rate; a
# currency without a rate gets 1 (no conversion) and staff can correct it on the order.
CURRENCY_RATES = {
    code.strip().upper(): rate.strip()
    for code, _, rate in (pair.partition("=") for pair in env_list("CURRENCY_RATES"))
}
# Days from the order date to its payment due date (date_maturity).
ORDER_MATURITY_DAYS = env.int("ORDER_MATURITY_DAYS", default=14)
# Absolute base of the links the API hands out (order_url, invoice_url, api_link);
# empty means "the host the request came to".
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")

# --- REST API -------------------------------------------------------------------
DEFAULT_RATE_LIMITS = {"read": "6000/min", "write": "3000/min", "auth_failures": "30/min"}
RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def parse_rate_limits(text: str) -> dict[str, str | None]:
    """API_RATE_LIMITS as DRF's DEFAULT_THROTTLE_RATES (scope -> "N/period", None = no limit).

    "read=6000/min,write=3000/min,auth_failures=30/min"; a scope left out keeps its default,
    a scope set to "off" has no limit, and "off" alone turns every limit off (load tests).
    """
    rates = dict(DEFAULT_RATE_LIMITS)
    if text.strip().lower() == "off":
        return dict.fromkeys(rates)
    for part in filter(None, (p.strip() for p in text.split(","))):
        scope, equals, rate = (s.strip() for s in part.partition("="))
        if not equals or scope not in rates:
            raise ImproperlyConfigured(
                f"API_RATE_LIMITS: {part!r} is not scope=rate with a scope of "
                f"{', '.join(rates)} (e.g. read=6000/min,write=3000/min,auth_failures=30/min)."
            )
        if rate.lower() == "off":
            rates[scope] = None
        elif RATE.fullmatch(rate):
            rates[scope] = rate
        else:
            raise ImproperlyConfigured(
                f"API_RATE_LIMITS: {scope}={rate!r} is not a rate like 6000/min (a whole "
                "number per s, min, hour or day) or off."
            )
    return rates


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "orders.api.authentication.ApiKeyAuthentication",
        "orders.api.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["orders.api.permissions.ApiKeyScopePermission"],
    "DEFAULT_RENDERER_CLASSES": [
        # DRF's JSONRenderer written by orjson: the same bytes, faster.
        "orders.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["orders.api.parsers.DecimalJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "orders.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "orders.api.schema.ApiAutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": None,
    # Per key (or staff user): one limit for reads, one for writes; failed authentication
    # is limited per client address in the authentication itself (docs/api.md, Rate limits).
    "DEFAULT_THROTTLE_CLASSES": [
        "orders.api.throttling.ReadThrottle",
        "orders.api.throttling.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": parse_rate_limits(env.str("API_RATE_LIMITS", default="")),
    # The client address is REMOTE_ADDR; behind N proxies that append to X-Forwarded-For,
    # set NUM_PROXIES=N (never trust the header otherwise: a client could write anything).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# Larger bodies are refused with 413 before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "Orders API",
    "DESCRIPTION": "Wire-compatible with the Retailys /System/Orders API (version 1.1.02).",
    "VERSION": "1.1.02",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH bodies here are whole small bodies (status_id is required), not partial updates.
    "COMPONENT_SPLIT_PATCH": False,
    # The routes answer at / and /v1 alike; the schema describes them once.
    "PREPROCESSING_HOOKS": ["orders.api.schema.only_root_routes"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "orders.api.schema.integer_path_ids",
        "orders.api.schema.closed_request_bodies",
        "orders.api.schema.token_first",
    ],
    # The console's groups in this order (Swagger UI follows the list), Orders first.
    "TAGS": [
        {"name": "Orders", "description": "Orders, their items, lifecycle, history and feed."},
        {"name": "People", "description": "Customers, found by e-mail across channels."},
        {"name": "Channels", "description": "Sales channels, ways of shipping and paying."},
        {"name": "Companies", "description": "Sellers: who issues an order's invoice."},
        {"name": "Lists", "description": "Carriers."},
    ],
    # The schema and the docs page are public (the contract is); calls still need a key.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "tryItOutEnabled": True},
    # Enums whose field names repeat (an item's and a ledger record's `kind`): one name each.
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "orders.models.ItemKind",
        "PaymentKindEnum": "orders.models.PaymentKind",
        "DiscountTypeEnum": "orders.models.DiscountType",
        "ReturnStateEnum": "orders.models.ReturnState",
    },
}

# --- Events: webhooks and e-mails ------------------------------------------------
# No broker configured = events are delivered by `manage.py deliver_events`.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A short publish timeout: a request whose commit wakes delivery must not hang on a dead broker.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
# The safety net (needs `celery beat`, or a worker started with --beat): catches wake-ups
# lost between commit and enqueue, and leases of workers that died.
CELERY_BEAT_SCHEDULE = {
    "deliver-events": {
        "task": "notifications.deliver_events",
        "schedule": env.float("DELIVERY_SWEEP_SECONDS", default=30.0),
    },
}
# Webhooks: per attempt timeout; retries back off exponentially (base * 2**(n-1), capped)
# until DELIVERY_MAX_ATTEMPTS, then the delivery is "failed" (visible in the admin).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=8)
DELIVERY_BACKOFF_SECONDS = env.float("DELIVERY_BACKOFF_SECONDS", default=30.0)
DELIVERY_BACKOFF_MAX_SECONDS = env.float("DELIVERY_BACKOFF_MAX_SECONDS", default=21600.0)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="orders@localhost")

# --- Cache (the API's rate-limit counters) ----------------------------------------
# Redis, shared by every worker process, when REDIS_URL is set or the Celery broker is Redis;
# otherwise each process counts in its own memory (fine for one process, `make run`).
REDIS_URL = env.str("REDIS_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "orders",
            "OPTIONS": {
                # A Redis that is down or slow must not take the API with it: the cache
                # answers "nothing" within half a second and the limits let requests through.
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "orders",
            # One counter per key (or address) and window; the default 300 would evict them.
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

# --- Production hardening (on when DEBUG is false) -------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is hard to undo, so it is the operator's choice, not a deploy warning.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # Load balancers probe /health over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The PDF libraries log every rendering step at INFO; only their problems matter here.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "factur-x")},
}
