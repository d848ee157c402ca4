"""Quanze settings: one module, read from the environment.

Every value that differs between a laptop, CI and production comes from an
environment variable (see ``.env.example``). Helpers in ``accountability.env``
fail at start-up, naming the variable, when a value is malformed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accountability.env import env_bool, env_int, env_keys, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QUANZE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY: must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "accountability",
    # The layers, lowest first (accountability is the kernel); an app imports only from the apps above it here.
    "cases",
    "supervision",
    "interference",
    "similar",
    "deliberation",
    "discipline",
    "evaluation",
    "procuratorate",
    "assessment",
    "dashboards",
    "interchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accountability.middleware.ContentSecurityPolicyMiddleware",
    "accountability.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accountability.middleware.ChineseFirstLocaleMiddleware",
    "accountability.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accountability.second_factor.SecondFactorMiddleware",
    "accountability.audit.AuditUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accountability.auth.SessionLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accountability.middleware.DomainErrorMiddleware",
    "accountability.errorpages.ProductNotFoundMiddleware",
]

ROOT_URLCONF = "accountability.urls"
WSGI_APPLICATION = "accountability.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboards.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
_database_url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except Exception as exc:  # dj-database-url raises several kinds on a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL: cannot parse {_database_url!r}: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
# A read replica (streaming replication of the same database): dashboards read from it when it is configured.
_replica_url = env_str("DATABASE_REPLICA_URL", "")
if _replica_url:
    try:
        DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except Exception as exc:  # dj-database-url raises several kinds on a bad URL
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL: cannot parse {_replica_url!r}: {exc}") from exc
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Off: the replica stays configured but every read goes to the primary (while it is rebuilt, or lags too far).
QUANZE_REPLICA_READS = env_bool("QUANZE_REPLICA_READS", True)
DATABASE_ROUTERS = ["accountability.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "accountability.auth.LockAwareBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_URL_PATH = "/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires 30 minutes after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Absolute limit: 12 hours after sign-in the session ends, however active (CJIS AC-11 / IA-11).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads live outside the web root and are served only through views that check access.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20) * 2**20
ATTACHMENT_MAX_FILES = 10
# One request's whole body (all files and fields), refused with 413 before it is read (RequestSizeLimitMiddleware).
QUANZE_REQUEST_MAX_BYTES = env_int("REQUEST_MAX_MB", 50) * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20  # larger files go to a temporary file while they are checked
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * ATTACHMENT_MAX_FILES  # more are refused by Django (400) before they are read

# --- REST API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous call then gets 401 with WWW-Authenticate, not 403.
        "accountability.tokens.ExpiringTokenAuthentication",  # DRF's, with a lifetime and revocation
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accountability.second_factor.SecondFactorVerified",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "accountability.openapi.QuanzeAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["accountability.api_base.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "accountability.api_base.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "accountability.api_base.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Quanze (权责) API",
    "DESCRIPTION": "Judicial accountability: power list, cases and their trace.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accountability.openapi.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "accountability.choices.OrganisationKind",
        "ReviewKindEnum": "evaluation.models.ReviewKind",
        "SanctionKindEnum": "discipline.choices.SanctionKind",
        "OutcomeEnum": "cases.choices.Outcome",
        "ChallengeOutcomeEnum": "discipline.choices.Outcome",
        "CaseRequestStatusEnum": "cases.choices.RequestStatus",
        "ReviewStatusEnum": "evaluation.models.Review.Status",
        "CaseRequestKindEnum": "cases.models.CaseRequest.Kind",
        "ApproverEnum": "cases.choices.Approver",
        "ReviewGradeEnum": "evaluation.models.Grade",
        "AssessmentGradeEnum": "assessment.models.Grade",
    },
}

# --- Celery -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL") or None
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late tasks, a dead worker loses at most the task it ran
# A broker that accepts connections and never answers must not hold a request (issue 20, finding 4): connect and
# socket timeouts of a few seconds (the outbox also sends without retrying; its relay retries). A task a killed
# worker held is redelivered after the visibility timeout (finding 10), which must exceed the longest task: the
# longest measured is the first rule sweep ever, 969 s at 2 M cases (BENCHMARKS.md); 1,800 s leaves 1.9x.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 1800),
}
CELERY_BEAT_SCHEDULE = {
    "metrics-nightly": {
        "task": "evaluation.nightly_metrics",
        "schedule": crontab(hour=2, minute=0),  # CELERY_TIMEZONE: Asia/Shanghai
    },
    # The running quarter's and year's assessments, after the metrics they read; lapsed contest periods close.
    "assessment-nightly": {
        "task": "assessment.nightly",
        "schedule": crontab(hour=4, minute=0),
    },
    "chain-digest-daily": {
        "task": "cases.digest_chain_heads",
        "schedule": crontab(hour=0, minute=30),
    },
    # Time-based risk points and four-category rules, swept set-wise (one query per rule).
    "supervision-sweep": {
        "task": "supervision.sweep",
        "schedule": crontab(hour=1, minute=15),
    },
    # Alerts not acted on escalate; overdue progress reports alert the leader who asked.
    "supervision-escalation": {
        "task": "supervision.escalate",
        "schedule": crontab(minute=5),
    },
    # Quarterly interference reports not filed in time are flagged to the case-management office.
    "interference-reports-missing": {
        "task": "interference.reports_missing",
        "schedule": crontab(hour=8, minute=0),
    },
    # The transactional outbox: tasks that could not be sent (a broker outage) are sent when it is back.
    "outbox-relay": {
        "task": "accountability.relay_outbox",
        "schedule": crontab(),  # every minute
    },
    # CJIS AC-2(3): accounts unused for QUANZE_DORMANT_DAYS are disabled.
    "dormant-accounts": {
        "task": "accountability.disable_dormant_accounts",
        "schedule": crontab(hour=3, minute=30),
    },
    # The action table's yearly partitions, two years ahead (cases.partitions).
    "action-partitions": {
        "task": "cases.action_partitions",
        "schedule": crontab(hour=0, minute=45),
    },
    # Discipline clocks: reminders before a stage's deadline, alerts after it; lapsed windows close.
    "discipline-deadlines": {
        "task": "discipline.deadlines",
        "schedule": crontab(hour=7, minute=30),
    },
    # A committee's resolution not reflected in a ruling by its date (督办) alerts its follow-up once.
    "deliberation-follow-ups": {
        "task": "deliberation.follow_ups_overdue",
        "schedule": crontab(hour=7, minute=45),
    },
}

# --- Security (production defaults; DEBUG relaxes only what a laptop needs) ---------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "quanze@localhost")
# Notifications are also e-mailed (to officers with an address) only when this is on.
QUANZE_EMAIL_NOTIFICATIONS = env_bool("QUANZE_EMAIL_NOTIFICATIONS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"celery.app.trace": {"level": "WARNING" if REDIS_URL is None else "INFO"}},
}

# --- Quanze -------------------------------------------------------------------------
QUANZE_DEMO_PASSWORD = env_str("QUANZE_DEMO_PASSWORD", "Quanze-demo-2026")
# Mounts /bench/bare-insert/ for bench/action_bench.py; never set in a deployment.
QUANZE_BENCH_ENDPOINTS = env_bool("QUANZE_BENCH_ENDPOINTS", False)
# Working days a leader has to act on an alert before it escalates one level up (法发〔2021〕30号: set locally).
QUANZE_ESCALATION_WORKING_DAYS = env_int("QUANZE_ESCALATION_WORKING_DAYS", 3)
# The second factor for leaders, evaluators, committee members, inspectors, administrators and auditors.
QUANZE_REQUIRE_2FA = env_bool("QUANZE_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Quanze"
QUANZE_DORMANT_DAYS = max(env_int("QUANZE_DORMANT_DAYS", 90), 1)
# API tokens are refused this many days after they were issued (a new one is asked for with the password).
QUANZE_API_TOKEN_DAYS = max(env_int("QUANZE_API_TOKEN_DAYS", 30), 1)
# Discipline clocks in days (DOMAIN.md §9): each stage's deadline, and the statutory windows of review and appeal.
QUANZE_DISCIPLINE_DAYS = {
    "investigation": 90,  # opened → referred to the committee
    "referred": 10,  # referred → notice served
    "heard": 15,  # hearing → opinion
    "opinion": 5,  # opinion → served on the officer
    "served": 10,  # the objection window after service
    "objected": 15,  # the committee decides an objection
    "opinion_final": 30,  # final opinion → the organisation's decision
    "decided": 30,  # decision → a review may be asked
    "review_request": 30,  # 复核: asked within 30 days of the decision
    "review_decision": 30,  # … and decided within 30
    "appeal_after_review": 15,  # 申诉: within 15 days of the review decision
    "direct_appeal": 30,  # … or directly within 30 days of the decision
    "appeal_decision": 60,  # decided within 60 days
    "appeal_extension": 30,  # … extendable once by 30
}
# Days after a quarter ends by which each department's interference report is due.
QUANZE_INTERFERENCE_REPORT_GRACE_DAYS = env_int("QUANZE_INTERFERENCE_REPORT_GRACE_DAYS", 15)
# Keys sealing every hash chain (accountability.chain): "id:secret,…", the first current, the others kept to verify
# what older keys sealed (rotation). Held outside the database: QUANZE_CHAIN_KEYS or QUANZE_CHAIN_KEYS_FILE. Unset,
# a key "derived" is made from SECRET_KEY: for development only (check --deploy warns, accountability.W020).
QUANZE_CHAIN_KEYS = env_keys("QUANZE_CHAIN_KEYS") or {
    "derived": hashlib.sha256(f"quanze chain key, development only\n{SECRET_KEY}".encode()).digest()
}
