"""Duban settings: one module, configured from the environment.

Embedded default (no variables set): SQLite, email to the console, Celery on a
broker that needs no server. Production sets DJANGO_ENV=production and the
URLs of the real services; a missing production secret fails loudly.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

# The development key is public (it is in this file): production refuses it.
DEV_SECRET_KEY = "dev-insecure-duban-key-change-me-0123456789abcdef"  # noqa: S105  # nosec B105
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: fail loudly
    if SECRET_KEY == DEV_SECRET_KEY:  # copied from a development .env: as public as no key at all
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY is the development key: set a secret one for production.")
else:
    SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "targets",
    "reports",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A body larger than any upload needs is refused (413) before Django spools it to disk.
    "config.request_limits.RequestBodyLimitMiddleware",
    # A lost database answers 503 (JSON under /api/, a plain page otherwise), never a 500.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # WhiteNoise serves the collected static files; in development runserver does. Without `collectstatic` it
    # serves them from the static directories (config/storage.py), so no page depends on that step.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    WHITENOISE_USE_FINDERS = True

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
                "targets.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite: wait for a concurrent writer rather than failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    # Persistent connections, checked before a request reuses them: after PostgreSQL restarts, a worker
    # reconnects on its next request instead of failing once on the dead connection.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused for AXES_COOLOFF_TIME (429, the login page with a Chinese message). The pair, not the
# username alone (anyone could lock a colleague out) nor the address alone (a whole office shares one NAT).
from datetime import timedelta  # noqa: E402

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.login_throttle.lockout_response"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，已暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，已锁定，请联系管理员解锁。"
# Behind a reverse proxy REMOTE_ADDR is the proxy: TRUSTED_PROXY_COUNT proxies append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.login_throttle.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploads: size and type limits for report documents (bytes / extensions).
REPORT_UPLOAD_MAX_BYTES = env.int("REPORT_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
REPORT_UPLOAD_EXTENSIONS = env.list("REPORT_UPLOAD_EXTENSIONS", default=[".txt", ".docx", ".pdf"])
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Whole request bodies (config/request_limits.py); unset: ten evidence files or one report, plus 1 MB.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=0) or None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Evidence files attached to progress, comments and sign-off requests (served only through a permission check).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
EVIDENCE_EXTENSIONS = env.list(
    "EVIDENCE_EXTENSIONS",
    default=[
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".wps",
        ".et",
        ".dps",
    ],
)
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=BASE_DIR / "var" / "evidence")

# Targets: how far behind the milestone plan counts as at risk, and staleness.
TARGET_AT_RISK_MARGIN_PERCENT = env.int("TARGET_AT_RISK_MARGIN_PERCENT", default=10)
TARGET_STALE_DAYS = env.int("TARGET_STALE_DAYS", default=30)
TARGET_DUE_SOON_WORKING_DAYS = env.int("TARGET_DUE_SOON_WORKING_DAYS", default=5)

# Year-end reconciliation: share of a target that counts as 基本完成 (partly met).
RECONCILIATION_PARTLY_MET_SHARE = env.float("RECONCILIATION_PARTLY_MET_SHARE", default=0.9)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Only GET lists are paginated in the schema; every error is {"error": "<中文>"} (config/api_errors.py).
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Duban 督办 API",
    "DESCRIPTION": "政府工作报告目标任务督办系统接口",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for a choice set used by several fields (proposed and confirmed verdicts).
    "ENUM_NAME_OVERRIDES": {
        "VerdictEnum": "reports.models.Reconciliation.Verdict",
        "NoticeKindEnum": "targets.models.SupervisionNotice.Kind",
        "KindEnum": "targets.models.Target.Kind",
    },
    # Every operation declares the shared 400/403/404 (and 415 with a body) errors it can answer with;
    # filters admit the empty value that means "no filter".
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
        "config.openapi.admit_empty_filter_values",
    ],
}

# Email: EMAIL_URL (smtp://user:pass@host:port) or the console in development
# (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes files to EMAIL_FILE_PATH instead).
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
    if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":  # noqa: F821 (set by the line above)
        # Django's SMTP backend that tells "not accepted" from "outcome unknown" (notifications/smtp.py).
        EMAIL_BACKEND = "notifications.smtp.EmailBackend"
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The reply to the end of a message's data: RFC 5321 §4.5.3.2.6 suggests 10 minutes (servers scan the message).
NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT = env.float("NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT", default=10 * 60)
# One send: connect, EHLO, MAIL, RCPT, DATA (EMAIL_TIMEOUT each at most), the final reply, QUIT, and some slack.
NOTIFICATIONS_SEND_TIME_LIMIT = NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT + 6 * EMAIL_TIMEOUT + 60
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="督办 <duban@localhost>")

# Reminders (working days; each organisation may override them in the admin) and delivery.
NOTIFICATIONS_REMIND_DAYS_BEFORE = env.int("NOTIFICATIONS_REMIND_DAYS_BEFORE", default=5)
NOTIFICATIONS_REMIND_ON_DAY = env.bool("NOTIFICATIONS_REMIND_ON_DAY", default=True)
NOTIFICATIONS_OVERDUE_EVERY = env.int("NOTIFICATIONS_OVERDUE_EVERY", default=5)
NOTIFICATIONS_ESCALATE_AFTER = env.int("NOTIFICATIONS_ESCALATE_AFTER", default=10)
# Remind about targets whose plan year is before last year (imported history)? Per organisation in the admin.
NOTIFICATIONS_REMIND_PAST_YEARS = env.bool("NOTIFICATIONS_REMIND_PAST_YEARS", default=False)
# A claim older than this is taken to be a dead worker's: its outcome is unknown, and the message is sent again
# once (services.py). Longer than one send may take (NOTIFICATIONS_SEND_TIME_LIMIT), so a slow send is never
# taken for a dead one.
NOTIFICATIONS_CLAIM_TIMEOUT = env.int("NOTIFICATIONS_CLAIM_TIMEOUT", default=20 * 60)
# After a "250", how long a sender keeps trying to record "sent" while the database is unreachable.
NOTIFICATIONS_MARK_SENT_PATIENCE = env.float("NOTIFICATIONS_MARK_SENT_PATIENCE", default=120)
# Pending rows older than this with nobody working on them are queued again by the delivery sweep.
NOTIFICATIONS_REDELIVER_AFTER = env.int("NOTIFICATIONS_REDELIVER_AFTER", default=2 * 60)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=60 * 60)
NOTIFICATIONS_DELIVER_EVERY = env.float("NOTIFICATIONS_DELIVER_EVERY", default=60.0)
# Unsubscribe links in emails stop working after this many days (a polite page says where to change settings).
NOTIFICATIONS_LINK_MAX_AGE_DAYS = env.int("NOTIFICATIONS_LINK_MAX_AGE_DAYS", default=90)

# Celery: Redis when REDIS_URL is set, otherwise a filesystem broker (no server).
from celery.schedules import crontab  # noqa: E402

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    # Longer than the longest retry countdown, so Redis does not hand a delayed retry to a second worker early.
    # max_retries 0: a publish with Redis down fails at once (kombu would otherwise reconnect for ~6 s per message;
    # the rows are recorded and the redelivery sweep queues them later). The worker's own connection keeps
    # retrying (broker_connection_retry), so workers come back with Redis.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": NOTIFICATIONS_RETRY_MAX_SECONDS + 15 * 60,
        "max_retries": 0,
    }
else:
    _broker_dir = Path(env.str("CELERY_BROKER_FOLDER", default=str(BASE_DIR / "var" / "celery-broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The app never waits on the broker: publishing gives up quickly (nothing in a request publishes anyway).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Declared here, copied into django-celery-beat's tables when beat starts, edited in the admin afterwards.
# The sweeps run every hour of the working day: a beat that was down at 9:00 catches up, and the idempotency
# keys make every later run of the same day a no-op. Weekly digests go out from 09:00 Asia/Shanghai.
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-deliver-pending": {
        "task": "notifications.tasks.deliver_pending",
        "schedule": NOTIFICATIONS_DELIVER_EVERY,
    },
}
if env.bool("NOTIFICATIONS_SCHEDULE_SWEEPS", default=True):  # off in tests that drive beat with their own dates
    CELERY_BEAT_SCHEDULE["notifications-run-reminders"] = {
        "task": "notifications.tasks.run_reminders",
        "schedule": crontab(minute=30, hour="8-17"),
    }
    CELERY_BEAT_SCHEDULE["notifications-send-digests"] = {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(minute=0, hour="9-17"),
    }
    # The monthly 督查通报: due on the first working day of a month; later runs that day find the keys taken.
    CELERY_BEAT_SCHEDULE["notifications-send-bulletins"] = {
        "task": "notifications.tasks.send_bulletins",
        "schedule": crontab(minute=15, hour="9-17", day_of_month="1-10"),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
