"""The one settings module of PSKS Portal. Everything deployment-specific comes from the environment (see README)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from psks_portal.env import env_bool, env_database, env_float, env_int, env_list, env_str, read_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
read_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105 - only accepted with DEBUG on
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "psks_portal",
    "registry",
    "pmks",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Headers of every page and file the portal makes (static files are answered above, by WhiteNoise).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "psks_portal.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "psks_portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "psks_portal.middleware.PasswordChangeRequiredMiddleware",
    # Axes goes last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "psks_portal.urls"
WSGI_APPLICATION = "psks_portal.wsgi.application"
ASGI_APPLICATION = "psks_portal.asgi.application"

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
                "psks_portal.context_processors.portal",
                # {{ CSP_NONCE }}: the nonce an inline <script> or <style> needs (README, conventions).
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Widgets (the wilayah picker) render with the project's templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env_database("DATABASE_URL", BASE_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "psks_portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an idle timeout (every request renews the cookie) and nothing that outlives the browser.
# How many "this NIK is held by another area" answers one account may get in a day (psks_portal.transfers).
NIK_CHECKS_ELSEWHERE_PER_DAY = env_int("NIK_CHECKS_ELSEWHERE_PER_DAY", 20, minimum=1)
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: 5 failures for one username from one address lock that pair for 15 minutes.
# Never a permanent IP lock: a whole office often sits behind one NAT address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0, minimum=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

# Security headers. Production (DEBUG off) gets HTTPS-only cookies, HSTS and an HTTPS redirect by default.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and styles only from the portal itself, or inline with the page's
# nonce; no inline event handlers (static/js/actions.js gives data-print and data-confirm instead), no plugins, no
# framing, forms post only here. Style attributes stay allowed: they cannot run code, url() in them is held to
# img-src, and a few pages size bars and columns with them. Bootstrap's CSS draws its icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no page of the portal uses a camera, microphone, location, payment
# or other device feature, so none may, not even a script that got in.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Language and time: Indonesian first, English available.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("Inggris"))]
LOCALE_PATHS = [BASE_DIR / "psks_portal" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# Where `manage.py backup` writes (a directory per backup; keep it on another disk or machine).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
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

_REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Audit trail (django-simple-history): who changed master data, when, and from what.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Portal-specific settings.
PORTAL_NAME = env_str("PORTAL_NAME", "Portal PSKS")
PORTAL_DEMO_ENABLED = env_bool("PORTAL_DEMO_ENABLED", DEBUG)
WILAYAH_FIXTURE_DIR = BASE_DIR / "fixtures" / "wilayah"
# One PMKS grid post carries up to 30 desa × 26 categories × 3 numbers.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 10_000, minimum=1000)
# A PMKS figure that moves by more than this share of last month's (and by 5 or more) needs a comment.
PMKS_JUMP_SHARE = env_float("PMKS_JUMP_SHARE", 0.5, minimum=0.0, maximum=100.0)
# The PMKS catalogue new figures are entered under when none has been chosen in the admin yet.
PMKS_DEFAULT_CATALOGUE = env_str("PMKS_DEFAULT_CATALOGUE", "permensos-08-2012")
# Spreadsheet imports (psks_portal.tabular): a file beyond these limits is refused with a message before it is read
# into memory. IMPORT_MAX_CELLS bounds the cells of the sheet read (its used area, rows × columns, which the reader
# holds at once); a row never has more than Excel's 16,384 columns.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 80 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000, minimum=1)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 1_000_000, minimum=100)
# Reports are due this many days after the end of their period unless a provinsi sets its own (admin: Batas waktu).
REPORTING_DEADLINE_DAYS = {
    "M": env_int("REPORTING_DUE_MONTHLY", 10, minimum=0, maximum=90),
    "Q": env_int("REPORTING_DUE_QUARTERLY", 15, minimum=0, maximum=120),
    "S": env_int("REPORTING_DUE_SEMESTER", 20, minimum=0, maximum=120),
    "Y": env_int("REPORTING_DUE_ANNUAL", 31, minimum=0, maximum=180),
}
# Activity attachments (photos, minutes, attendance lists): at most this many megabytes, JPG/PNG/PDF only.
REPORTING_ATTACHMENT_MAX_MB = env_int("REPORTING_ATTACHMENT_MAX_MB", 5, minimum=1, maximum=50)

# Background jobs (recap exports) go through the Django tasks API (django-tasks, the backport of Django 6's
# django.tasks). "immediate" runs a job inside the request that asked for it (the embedded default: nothing else to
# run); "database" queues it in the database for `manage.py db_worker` processes, on any number of machines.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate").strip().lower()
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r} is not one of: {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# A recap of more table rows than this (e.g. a provinsi down to its desa) is made as a background job and offered on
# the "Unduhan" page; smaller ones are downloaded at once.
EXPORT_BACKGROUND_THRESHOLD = env_int("EXPORT_BACKGROUND_THRESHOLD", 500, minimum=0)
# Hours an exported file stays downloadable; `manage.py expire_exports` deletes older files.
EXPORT_FILE_TTL_HOURS = env_int("EXPORT_FILE_TTL_HOURS", 72, minimum=1, maximum=24 * 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "psks_portal.logging.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING", "propagate": True},
        "axes": {"level": "WARNING", "propagate": True},
        # WeasyPrint reports every step of a PDF at INFO; recaps only need its warnings.
        "weasyprint": {"level": "WARNING", "propagate": True},
        "fontTools": {"level": "WARNING", "propagate": True},
    },
}
