"""Solidaire settings: every value comes from an environment variable with a default that
suits the embedded mode (one machine, SQLite, in-process background work, sandbox payments).
The table in README.md lists them all; keep it in step with this file."""

import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .core.observability import init_sentry
from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("SOLIDAIRE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SOLIDAIRE_SECRET_KEY, or a random key kept in var/ so that sessions survive restarts.
    No key is ever committed to the repository."""
    configured = env("SOLIDAIRE_SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Rotating the key: the new one in SOLIDAIRE_SECRET_KEY, the old ones here (comma-separated) until
# what they signed has expired — sessions, QR codes of printed vouchers, links in sent e-mails.
SECRET_KEY_FALLBACKS = env_list("SOLIDAIRE_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("SOLIDAIRE_DEBUG", False)
ALLOWED_HOSTS = env_list("SOLIDAIRE_ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("SOLIDAIRE_CSRF_TRUSTED_ORIGINS")

# Tenancy: a collectivité is found by its custom domain, then by <slug>.<base domain>,
# then this default (single-tenant installs and the demo on 127.0.0.1).
SOLIDAIRE_BASE_DOMAIN = env("SOLIDAIRE_BASE_DOMAIN", "localhost")
SOLIDAIRE_DEFAULT_TENANT = env("SOLIDAIRE_DEFAULT_TENANT")
# The platform operator’s back office (/operator/) and its sign-in answer on this host only (no
# collectivité there); list it in SOLIDAIRE_ALLOWED_HOSTS.
SOLIDAIRE_OPERATOR_HOST = env("SOLIDAIRE_OPERATOR_HOST", f"operator.{SOLIDAIRE_BASE_DOMAIN}")
SOLIDAIRE_PLATFORM_NAME = env("SOLIDAIRE_PLATFORM_NAME", "Solidaire")
# Port of the public addresses in e-mails sent from background work (empty: 80/443).
SOLIDAIRE_PUBLIC_PORT = env("SOLIDAIRE_PUBLIC_PORT")

INSTALLED_APPS = [
    "solidaire.core",
    "solidaire.geo",
    "solidaire.tenants",
    "solidaire.accounts",
    "solidaire.audit",
    "solidaire.campaigns",
    "solidaire.beneficiaries",
    "solidaire.ledger",
    "solidaire.matching",
    "solidaire.donations",
    "solidaire.payments",
    "solidaire.vouchers",
    "solidaire.payouts",
    "solidaire.reporting",
    "solidaire.exports",
    "solidaire.opendata",
    "solidaire.privacy",
    "solidaire.mutualaid",
    "solidaire.api",
    "solidaire.demo",
    "solidaire.accounts.operator_admin.OperatorAdminConfig",  # django.contrib.admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "corsheaders",
    "ninja",
    "csp",
]

MIDDLEWARE = [
    "solidaire.core.pagecache.PublicPageCache",
    # The request id (X-Request-ID, on every log line) and the request's metrics (ADR 0027).
    "solidaire.core.observability.RequestObservability",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "solidaire.core.middleware.ReportingEndpoints",
    "solidaire.core.middleware.PrivatePagesNotStored",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "solidaire.tenants.middleware.TenantMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "solidaire.core.middleware.RedirectToPreferredLanguage",
    "django.middleware.common.CommonMiddleware",
    "solidaire.core.middleware.RefuseNullCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "solidaire.urls"
WSGI_APPLICATION = "solidaire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "solidaire" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "solidaire.core.context_processors.platform",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL when DATABASE_URL says so.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'solidaire.sqlite3'}")
# Connections are kept between requests (a new one per request costs more than most pages' queries),
# checked before reuse so that a restarted database is no error.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("SOLIDAIRE_DB_CONN_MAX_AGE", 600), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue up
    # instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the rate limits: it must be shared by every web process (docs/adr/0016).
# Redis when SOLIDAIRE_CACHE_URL names one; "locmem://" keeps it in the process (one web worker
# only: `solidaire check` refuses more); by default the database's cache table (made by migrate).
CACHE_URL = env("SOLIDAIRE_CACHE_URL")
if CACHE_URL.startswith("redis://") or CACHE_URL.startswith("rediss://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "solidaire.core.cache.DatabaseCache",
            "LOCATION": "solidaire_cache",
            # Room for a count per client address; fewer entries would forget counts early.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# How many web processes serve requests (`solidaire serve --web-workers`, gunicorn's workers).
SOLIDAIRE_WEB_WORKERS = env_int("SOLIDAIRE_WEB_WORKERS", 2)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("SOLIDAIRE_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SOLIDAIRE_PLATFORM_NAME}] "
ACCOUNT_ADAPTER = "solidaire.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_REDIRECT_URL = "core:home"
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Rate limits of the account pages, counted in the shared cache (docs/ARCHITECTURE.md, "Security").
# Failed sign-ins: per client address, and per (address, account) — the adapter's "key" — never
# per account alone, so that strangers cannot lock an owner out. Sign-ups and password resets per
# client address (allauth's; verification e-mails: one in 3 minutes per address as written), and all
# three per mailbox, case, +tags and Gmail dots folded (the "_mailbox" ones: accounts.forms,
# accounts.adapter.AccountAdapter.send_confirmation_mail).
# How long each process remembers which collectivité a host is (solidaire.tenants.resolution):
# a change shows at once in the process that made it, in the others after this. 0: ask every time.
SOLIDAIRE_TENANT_MEMO_SECONDS = env_int("SOLIDAIRE_TENANT_MEMO_SECONDS", 10)
# How long anonymous visitors are shown a public page from the shared cache (solidaire.core.pagecache,
# docs/adr/0025): the budget bar and totals are never older than this. 0: no page is kept.
SOLIDAIRE_PUBLIC_PAGE_SECONDS = env_int("SOLIDAIRE_PUBLIC_PAGE_SECONDS", 5)
# What one person may do in a mutual-aid network before waiting (mutualaid.limits).
SOLIDAIRE_MUTUAL_AID_RATES = {
    "post": env("SOLIDAIRE_MUTUAL_AID_POSTS_RATE", "10/d"),
    "start": env("SOLIDAIRE_MUTUAL_AID_CONVERSATIONS_RATE", "10/h"),
    "message": env("SOLIDAIRE_MUTUAL_AID_MESSAGES_RATE", "30/h"),
    "report": env("SOLIDAIRE_MUTUAL_AID_REPORTS_RATE", "10/h"),
}
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,60/h/ip,5/5m/key",
    "reset_password": "20/m/ip",
    "reset_password_mailbox": "5/h/key",
    "signup_mailbox": "5/h/key",
    "confirm_email_mailbox": "5/h/key",
}
ACCOUNT_FORMS = {
    "reset_password": "solidaire.accounts.forms.ResetPasswordForm",
    "signup": "solidaire.accounts.forms.SignupForm",
}
# Two-factor authentication: an authenticator app’s codes, with recovery codes. Admins and finance
# officers must switch it on before they approve or download payments.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SOLIDAIRE_PLATFORM_NAME
SOLIDAIRE_PAYOUTS_REQUIRE_2FA = env_bool("SOLIDAIRE_PAYOUTS_REQUIRE_2FA", True)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "solidaire" / "locale"]
TIME_ZONE = env("SOLIDAIRE_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("SOLIDAIRE_STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("SOLIDAIRE_MEDIA_ROOT", str(VAR_DIR / "media")))
SOLIDAIRE_SERVE_MEDIA = env_bool("SOLIDAIRE_SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("SOLIDAIRE_STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FORMS_URLFIELD_ASSUME_HTTPS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# E-mail: console by default; "file" writes to var/mail; "smtp" uses the SMTP settings.
EMAIL_BACKEND = {
    "console": "solidaire.core.console_mail.EmailBackend",  # decoded text, links whole
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}[env("SOLIDAIRE_EMAIL_BACKEND", "console")]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("SOLIDAIRE_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("SOLIDAIRE_SMTP_PORT", 25)
EMAIL_HOST_USER = env("SOLIDAIRE_SMTP_USER")
EMAIL_HOST_PASSWORD = env("SOLIDAIRE_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("SOLIDAIRE_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("SOLIDAIRE_SMTP_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("SOLIDAIRE_FROM_EMAIL", "Solidaire <no-reply@solidaire.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: Celery. Redis (or RabbitMQ) in production; a filesystem queue in var/
# needs no server in the embedded mode. SOLIDAIRE_TASKS_EAGER runs tasks in the caller.
CELERY_BROKER_URL = env("SOLIDAIRE_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = VAR_DIR / "broker" / "queue"
    _control = VAR_DIR / "broker" / "control"
    for _folder in (_queue, _control):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(_control),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")) and env("SOLIDAIRE_BROKER_VISIBILITY_TIMEOUT"):
    # Seconds after which Redis gives a task taken by a worker that died (acks late: unacknowledged)
    # to another worker; kombu's default is one hour. It must stay longer than any countdown of a
    # retried task (up to an hour, or that task runs twice — harmless, tasks are idempotent, but
    # wasteful). Short only where a test kills workers (make test-cluster, deploy/README.md).
    _visibility = env_int("SOLIDAIRE_BROKER_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        "unacked_restore_interval": max(1, min(10, _visibility // 3)),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("SOLIDAIRE_TASKS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What tasks print (the console e-mail backend) reaches the terminal as it is, not as log lines.
CELERY_WORKER_REDIRECT_STDOUTS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "expire-match-holds": {"task": "solidaire.donations.tasks.expire_holds", "schedule": 60.0},
    "reconcile-payments": {"task": "solidaire.donations.tasks.reconcile", "schedule": 300.0},
    "sandbox-outbox": {"task": "solidaire.payments.tasks.send_due_sandbox_events", "schedule": 15.0},
    "check-books": {"task": "solidaire.ledger.tasks.check_books", "schedule": 900.0},
    "voucher-lifecycle": {"task": "solidaire.vouchers.tasks.daily", "schedule": 3600.0},
    "expired-exports": {"task": "solidaire.exports.tasks.delete_expired", "schedule": 3600.0},
    "budget-alerts": {"task": "solidaire.reporting.tasks.check_budget_alerts", "schedule": 3600.0},
    "privacy-retention": {"task": "solidaire.privacy.tasks.retention", "schedule": 86400.0},
    "mutual-aid-expiry": {"task": "solidaire.mutualaid.tasks.expire_posts", "schedule": 3600.0},
    # Sends only the digests that are due: a missed run is caught up by the next one.
    "mutual-aid-alert-digests": {"task": "solidaire.mutualaid.tasks.send_alert_digests", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# HTTPS deployments behind a proxy set SOLIDAIRE_HTTPS=true.
if env_bool("SOLIDAIRE_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SOLIDAIRE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # the collectivités' sub-domains of SOLIDAIRE_BASE_DOMAIN too
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Log lines: "plain" text (the demo's terminal) or "json", one object per line with the request id
# (also carried into the tasks a request starts), the collectivité or the task (ADR 0027).
SOLIDAIRE_LOG_FORMAT = env("SOLIDAIRE_LOG_FORMAT", "plain")
if SOLIDAIRE_LOG_FORMAT not in ("plain", "json"):
    raise ValueError(f"SOLIDAIRE_LOG_FORMAT is plain or json, not {SOLIDAIRE_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "solidaire.core.observability.JsonFormatter"},
    },
    "filters": {
        # A 4xx answer (403, 404, a CSRF failure…) is logged on one line, without a traceback.
        "client_errors": {"()": "solidaire.core.log_filters.ClientErrorsWithoutTraceback"},
        "request_context": {"()": "solidaire.core.log_filters.RequestContext"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": SOLIDAIRE_LOG_FORMAT,
            "filters": ["client_errors", "request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("SOLIDAIRE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # "No hostname was supplied" at every start of the worker on the filesystem broker.
        "kombu.connection": {"level": "ERROR"},
    },
}
# JSON logs: the worker keeps the handler of LOGGING (its JSON lines) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = SOLIDAIRE_LOG_FORMAT != "json"

# Prometheus metrics at /metrics for whoever sends `Authorization: Bearer <this token>`; empty, /metrics
# answers 404. Several processes add up their counts in PROMETHEUS_MULTIPROC_DIR (ADR 0027).
SOLIDAIRE_METRICS_TOKEN = env("SOLIDAIRE_METRICS_TOKEN")
# Errors (web and tasks) reported to Sentry when a DSN is set, without request bodies, cookies,
# authentication headers or e-mail addresses (core.observability.scrub); nothing is sent otherwise.
SENTRY_DSN = env("SENTRY_DSN")
init_sentry(
    SENTRY_DSN,
    environment=env("SENTRY_ENVIRONMENT", "production"),
    release=env("SENTRY_RELEASE"),
    traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
)

# How long an invitation to join a collectivité’s team stays valid.
SOLIDAIRE_INVITATION_DAYS = env_int("SOLIDAIRE_INVITATION_DAYS", 14)

# Geocoding of establishments' addresses: "none" keeps the commune's centre (offline default);
# "ban" asks the national address API, falling back to the commune's centre when it fails.
SOLIDAIRE_GEOCODER = env("SOLIDAIRE_GEOCODER", "none")
SOLIDAIRE_GEOCODER_URL = env("SOLIDAIRE_GEOCODER_URL", "https://api-adresse.data.gouv.fr/search/")
# Company register shown to moderators next to what a beneficiary declared: "none" or
# "recherche-entreprises" (https://recherche-entreprises.api.gouv.fr, public, no key).
SOLIDAIRE_SIRET_REGISTRY = env("SOLIDAIRE_SIRET_REGISTRY", "none")
SOLIDAIRE_SIRET_REGISTRY_URL = env("SOLIDAIRE_SIRET_REGISTRY_URL", "https://recherche-entreprises.api.gouv.fr/search")
# Map of the directory: tile URL template and its attribution (shown on the map).
SOLIDAIRE_MAP_TILES_URL = env("SOLIDAIRE_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
SOLIDAIRE_MAP_ATTRIBUTION = env(
    "SOLIDAIRE_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


def _tiles_origin(template: str) -> list[str]:
    """The origin of the map's tiles for the Content-Security-Policy: "https://{s}.tile.example.org/…"
    gives "https://*.tile.example.org"; tiles served by this site (a path) need none."""
    parts = urlsplit(template)
    if not parts.netloc:
        return []
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)
    return [f"{parts.scheme}://{host}"]


# Content-Security-Policy (django-csp), on every response: scripts and styles from this site’s
# static files only — no inline <script>, <style>, style="…" or on…= anywhere (data for scripts
# goes through data-* attributes or json_script). Pictures from here, data: URLs (QR codes) and the
# map's tile server. The payment pages of the providers are reached by links, not form posts.
# Browsers report what it refuses to /csp-report (core.views.csp_report, logged by `solidaire.csp`):
# `report-uri` for those that only know it, `report-to` (the endpoint named "csp" by the
# Reporting-Endpoints header, core.middleware.ReportingEndpoints) for the others.
SOLIDAIRE_CSP_REPORT_URL = "/csp-report"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_tiles_origin(SOLIDAIRE_MAP_TILES_URL)],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "report-uri": [SOLIDAIRE_CSP_REPORT_URL],
        "report-to": ["csp"],
    }
}

# Payments and matching.
# The sandbox provider sends its notifications over HTTP ("http") or through a test transport.
SOLIDAIRE_SANDBOX_TRANSPORT = env("SOLIDAIRE_SANDBOX_TRANSPORT", "http")
# Secret given to the sandbox of collectivités created from now on (empty: a random one each).
SOLIDAIRE_SANDBOX_SECRET = env("SOLIDAIRE_SANDBOX_SECRET")
# The largest provider notification the inbox reads, in bytes: a larger one is answered 413.
SOLIDAIRE_NOTIFICATION_MAX_BYTES = env_int("SOLIDAIRE_NOTIFICATION_MAX_BYTES", 256 * 1024)
# How many pools a campaign’s public budget is split into (concurrency of matching).
SOLIDAIRE_MATCHING_POOLS = env_int("SOLIDAIRE_MATCHING_POOLS", 16)
# How long the match promised at checkout is held for the donor; shorter when less than a tenth
# of the campaign’s budget is left, so that abandoned checkouts cannot freeze the end of it.
SOLIDAIRE_RESERVATION_MINUTES = env_int("SOLIDAIRE_RESERVATION_MINUTES", 30)
SOLIDAIRE_RESERVATION_MINUTES_SCARCE = env_int("SOLIDAIRE_RESERVATION_MINUTES_SCARCE", 10)
# How many unpaid reservations may be open at once from one client address, one e-mail address
# (tags and dots folded) and one browser.
SOLIDAIRE_HOLDS_PER_ADDRESS = env_int("SOLIDAIRE_HOLDS_PER_ADDRESS", 5)
SOLIDAIRE_HOLDS_PER_EMAIL = env_int("SOLIDAIRE_HOLDS_PER_EMAIL", 2)
SOLIDAIRE_HOLDS_PER_DEVICE = env_int("SOLIDAIRE_HOLDS_PER_DEVICE", 3)

# Personal data (docs/adr/0022-personal-data.md). How long a link to a donor’s own space works
# (and the space stays open in the session); how long the bodies of rejected payment
# notifications are kept; after how many years the audit log's actors are pseudonymised. How
# long donors' identity is kept is each collectivité’s setting (donor_retention_years).
SOLIDAIRE_PRIVACY_LINK_MINUTES = env_int("SOLIDAIRE_PRIVACY_LINK_MINUTES", 60)
SOLIDAIRE_REJECTED_NOTIFICATION_DAYS = env_int("SOLIDAIRE_REJECTED_NOTIFICATION_DAYS", 90)
SOLIDAIRE_AUDIT_IDENTITY_YEARS = env_int("SOLIDAIRE_AUDIT_IDENTITY_YEARS", 5)

# Mutual aid (docs/adr/0024-relayed-contact.md): the domain of the e-mail relay. Messages of a
# conversation are e-mailed with a Reply-To of entraide+<signed token>@<this domain>, whose mail
# server pipes what it receives to `solidaire relay-inbound`. Empty: no answers by e-mail (the
# e-mails say to answer on the platform).
SOLIDAIRE_RELAY_DOMAIN = env("SOLIDAIRE_RELAY_DOMAIN", "")

# Rate limits key on the client's address: behind a load balancer, name the header it sets
# (as a META key, such as HTTP_X_REAL_IP); by default the socket's address.
RATELIMIT_IP_META_KEY = env("SOLIDAIRE_CLIENT_IP_HEADER", "REMOTE_ADDR")

# The public API may be called from beneficiaries' own websites (no cookies are used by it).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
