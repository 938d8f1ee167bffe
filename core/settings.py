"""Cultivate settings, read from the environment in this one place.

Every variable is listed in `.env.example`. The defaults are the embedded mode: a SQLite file and
the kombu filesystem broker under `var/`, console email, DEBUG on. Production sets DEBUG=0, a real
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL, and passes `check --deploy`.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CULTIVATE_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Only the words below count; anything else is a configuration error, said loudly."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true/false (or 1/0), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)
_INSECURE_KEY = "django-insecure-embedded-mode-only-never-in-production"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1
TIME_ZONE = env_str("TIME_ZONE", "UTC")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "core",
    "labs",
    "mentoring",
    "hackathons",
    "curriculum",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.PageMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "core.middleware.StaffMFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cultivate.sqlite3'}")
# Persistent connections are kept per thread. Off by default: the development server that
# `make run` starts opens a thread per request, and each would keep a PostgreSQL connection open
# until the server runs out of them. Production (gunicorn, a few long-lived threads) sets e.g. 60;
# health checks then replace a connection the database has dropped instead of failing a request.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 0)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker subprocess in the tests sees the test data.
    # One file per test run, so that two runs side by side do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Wait for a writer instead of failing with "database is locked".
            "timeout": 20,
            # WAL: readers and the one writer do not block each other (the web server reads while
            # workers write results); NORMAL sync is safe in WAL mode and much cheaper.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            # Take the write lock when a transaction starts: a transaction that read first and
            # then tries to write fails at once when another has written meanwhile, whatever the
            # timeout; one that waits at BEGIN never deadlocks.
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by every process: allauth's rate limits live here) -----------------------

CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication (django-allauth) --------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "core.auth.AccountAdapter"
ACCOUNT_FORMS = {"login": "core.forms.SignInForm"}
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# allauth's default: 5 failed sign-ins per account per 5 minutes, 10 per minute per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/300s/key"),
}
# Sign-up policy: "open", "domains" (only SIGNUP_ALLOWED_DOMAINS) or "invite" (admins add people).
SIGNUP_POLICY = env_str("SIGNUP_POLICY", "domains")
if SIGNUP_POLICY not in {"open", "domains", "invite"}:
    raise ImproperlyConfigured("SIGNUP_POLICY must be one of open, domains, invite")
SIGNUP_ALLOWED_DOMAINS = [d.lower() for d in env_list("SIGNUP_ALLOWED_DOMAINS", "example.com")]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Cultivate"
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", True)

SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict = {}
if env_str("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "sso"),
                "name": env_str("OIDC_NAME", "Single sign-on"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ]
    }
if env_str("MICROSOFT_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": env_str("MICROSOFT_CLIENT_ID"),
                "secret": env_str("MICROSOFT_CLIENT_SECRET"),
                "settings": {"tenant": env_str("MICROSOFT_TENANT", "organizations")},
            }
        ]
    }
if env_str("GITHUB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env_str("GITHUB_CLIENT_ID"), "secret": env_str("GITHUB_SECRET")}]
    }
# A provider's app (and its sign-in URLs) exists only when it is configured.
INSTALLED_APPS += [f"allauth.socialaccount.providers.{name}" for name in SOCIALACCOUNT_PROVIDERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ----------------------------------------------------------------------------------

EMAIL_URL = env_str("EMAIL_URL", "console://")
if EMAIL_URL.startswith("console://"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith("locmem://"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cultivate <cultivate@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first, so that an anonymous API call is answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.NulRefusingJSONParser",  # PostgreSQL refuses NUL: a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "auth-token": env_str("TOKEN_RATE_LIMIT", "10/min"),
        # Notebooks one person may send for grading, page and API together (labs.throttles).
        "submissions": env_str("SUBMISSION_RATE_LIMIT", "20/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cultivate API",
    "DESCRIPTION": "Skill matrices, mentoring, hackathons and graded notebook labs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "EvidenceKindEnum": "core.skills.models.EvidenceKind",
        "FeedbackKindEnum": "mentoring.models.FeedbackKind",
        "NotificationKindEnum": "core.notifications.models.NotificationKind",
        "SubmissionStatusEnum": "labs.models.SubmissionStatus",
    },
}

# --- Celery ---------------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic tasks of every app, named by string so that core imports none of them.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.worker_heartbeat", "schedule": 60.0},
    "labs-sweeper": {"task": "labs.tasks.sweep_submissions", "schedule": 60.0},
    "mentoring-digests": {"task": "mentoring.tasks.send_digests", "schedule": 7 * 24 * 3600.0},
    "mentoring-reraise-questions": {
        "task": "mentoring.tasks.reraise_questions",
        "schedule": 3600.0,
    },
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's own filesystem transport loses messages and kills the worker when several
    # processes use it (kombu issue #1551); core.broker's writes and claims files atomically.
    CELERY_BROKER_TRANSPORT = "core.broker:Transport"
    _broker_dir = BASE_DIR / env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within this many seconds is delivered again (Redis, SQS): longer
    # than the hard time limit of any task.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}

# /healthz answers 503 "degraded" when no worker has recorded a heartbeat for this long (a
# worker records one when it starts and the beat task `worker-heartbeat` every minute).
HEALTH_WORKER_STALE_SECONDS = env_int("HEALTH_WORKER_STALE_SECONDS", 300)

# --- Static files, security -----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
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
MEDIA_ROOT = VAR_DIR / "media"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Scripts come only from this site's own files (no inline script, no eval); styles allow inline
# `style` attributes, which a few bar charts use for their widths. Notebook images are data: URLs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Labs -----------------------------------------------------------------------------------

# auto: bubblewrap when it works, else a loudly announced reduced-isolation mode (embedded);
# required: a worker refuses to grade without bubblewrap (production); off: reduced, for tests.
LABS_SANDBOX = env_str("LABS_SANDBOX", "auto")
if LABS_SANDBOX not in {"auto", "required", "off"}:
    raise ImproperlyConfigured("LABS_SANDBOX must be one of auto, required, off")
# The Python that runs learners' kernels (needs ipykernel): by default the one `make` builds in
# var/kernel-env (outside any private home, so the sandbox user can read it), else the worker's.
_kernel_env_python = VAR_DIR / "kernel-env" / "bin" / "python"
LABS_KERNEL_PYTHON = env_str(
    "LABS_KERNEL_PYTHON", str(_kernel_env_python) if _kernel_env_python.exists() else ""
)
# The unprivileged uid sandboxed kernels run as (the worker drops to it when it runs as root).
LABS_SANDBOX_UID = env_int("LABS_SANDBOX_UID", 65534)
# Grading workers fork each run's kernel from a warm, sandboxed interpreter that has imported
# IPython and these libraries once ("the zygote", labs.executor); 0 starts a kernel per run.
LABS_ZYGOTE = env_bool("LABS_ZYGOTE", True)
LABS_ZYGOTE_PRELOAD = env_list(
    "LABS_ZYGOTE_PRELOAD",
    "numpy,pandas,scipy.stats,sklearn.linear_model,sklearn.model_selection,sklearn.metrics,"
    "matplotlib.pyplot",
)
LABS_RUN_DIR = env_str("LABS_RUN_DIR", "") or None  # where run folders go; default: the system's
LABS_MAX_UPLOAD_BYTES = env_int("LABS_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
LABS_MAX_CELLS = env_int("LABS_MAX_CELLS", 500)
LABS_MAX_OUTPUT_BYTES = env_int("LABS_MAX_OUTPUT_BYTES", 1_000_000)
LABS_LEASE_SECONDS = env_int("LABS_LEASE_SECONDS", 15 * 60)

# --- Mentoring ------------------------------------------------------------------------------

# An early-career engineer without feedback for longer than this is flagged to their managers.
MENTORING_FEEDBACK_WARNING_DAYS = env_int("MENTORING_FEEDBACK_WARNING_DAYS", 30)
MENTORING_LEARNING_GOAL_MINUTES = env_int("MENTORING_LEARNING_GOAL_MINUTES", 240)
