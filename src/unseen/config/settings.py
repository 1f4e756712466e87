"""One settings module, driven by the environment, with safe defaults.

SQLite under `var/` unless `DATABASE_URL` names another database (PostgreSQL in production and CI).
Secrets never live in the repository: the secret key is read from UNSEEN_SECRET_KEY or generated once
into `var/keys/` with 0600 permissions.
"""

import math
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from unseen.private_files import private_folder, private_sqlite, write_new

#: What a flag may say, in any case; blank means its default. Anything else stops start-up: a typo
#: (`UNSEEN_REQUIRE_2FA=flase`) must not quietly mean "off".
FLAG_VALUES = {"1": True, "true": True, "yes": True, "on": True}
FLAG_VALUES.update({"0": False, "false": False, "no": False, "off": False})


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return FLAG_VALUES[value.lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a flag: give 1, true, yes or on, or 0, false, no or off "
            "(any case), or leave it empty for the default"
        ) from None


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a whole number (e.g. {default}); leave it empty for the default"
        ) from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a number (e.g. {default:g}); leave it empty for the default"
        )
    return number


def env_secret(name: str, *, read_file: bool = True) -> str:
    """A secret from NAME, or from the file NAME_FILE names (a secrets mount), never both.

    The file's content, less one trailing newline, is the value. Errors name the variable and the
    file, never what it holds. With `read_file=False`, NAME_FILE is a key file read, with its
    permissions checked, where the key is used (the master, audit and receipt keys): here only
    giving both is refused.
    """
    value = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if value and path:
        raise ImproperlyConfigured(f"{name} and {name}_FILE are both set: give one or the other")
    if not path or not read_file:
        return value
    try:
        content = Path(path).read_bytes().decode()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{name}_FILE: cannot read {path} ({error.strerror or type(error).__name__})"
        ) from None
    except UnicodeDecodeError:
        raise ImproperlyConfigured(f"{name}_FILE: {path} is not UTF-8 text") from None
    content = content.removesuffix("\n").removesuffix("\r")
    if not content:
        raise ImproperlyConfigured(f"{name}_FILE: {path} is empty")
    return content


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("UNSEEN_VAR_DIR", BASE_DIR / "var"))
KEYS_DIR = VAR_DIR / "keys"
# The database, keys and uploads live here: the service account's alone (see private_files).
private_folder(VAR_DIR)


def read_or_create_key(path: Path, nbytes: int = 48) -> str:
    """Read a key file, creating it (0600, in a 0700 folder) on first run."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    write_new(path, value)
    return value


SECRET_KEY = env_secret("UNSEEN_SECRET_KEY") or read_or_create_key(KEYS_DIR / "secret_key")
# Identity vault master key (wraps the data key; never in the database or a backup): base64 of 32
# bytes in UNSEEN_MASTER_KEY, else the key file UNSEEN_MASTER_KEY_FILE (default var/keys/master.key,
# created 0600 on first use). See registry/keys.py and `unseen keys`.
UNSEEN_MASTER_KEY = env_secret("UNSEEN_MASTER_KEY", read_file=False)
UNSEEN_MASTER_KEY_FILE = os.environ.get("UNSEEN_MASTER_KEY_FILE", "")
# Audit log (see src/unseen/audit/README.md): the chain is HMAC-keyed with a key outside the
# database, base64 of 32 bytes in UNSEEN_AUDIT_KEY, else the key file UNSEEN_AUDIT_KEY_FILE (default
# var/keys/audit.key, created 0600 on first use). Anchors (the newest entry's id and hash, signed)
# go to UNSEEN_AUDIT_ANCHOR_FILE (default var/anchors/audit.anchors) every ANCHOR_EVERY entries or
# when the last is ANCHOR_MINUTES old, so deleting the newest entries is noticed.
UNSEEN_AUDIT_KEY = env_secret("UNSEEN_AUDIT_KEY", read_file=False)
UNSEEN_AUDIT_KEY_FILE = os.environ.get("UNSEEN_AUDIT_KEY_FILE", "")
UNSEEN_AUDIT_ANCHOR_FILE = os.environ.get("UNSEEN_AUDIT_ANCHOR_FILE", "")
UNSEEN_AUDIT_ANCHOR_EVERY = env_int("UNSEEN_AUDIT_ANCHOR_EVERY", 1000)
UNSEEN_AUDIT_ANCHOR_MINUTES = env_float("UNSEEN_AUDIT_ANCHOR_MINUTES", 10)
DEBUG = env_flag("UNSEEN_DEBUG", False)
DEMO = env_flag("UNSEEN_DEMO", False)
ALLOWED_HOSTS = env_list("UNSEEN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("UNSEEN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "unseen.accounts",
    "unseen.ui",
    "unseen.jobs",
    "unseen.audit",
    "unseen.evidence",
    "unseen.registry",
    "unseen.documentation",
    "unseen.teamwork",
    "unseen.intake",
    "unseen.linkage",
    "unseen.files",
    "unseen.journeys",
    "unseen.sanctions",
    "unseen.network",
    "unseen.dossiers",
    "unseen.findings",
    "unseen.estimation",
    "unseen.publishing",
    "unseen.api",
    "unseen.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "unseen.accounts.middleware.SecurityHeadersMiddleware",
    # Outside everything that answers under /api/, so every error there leaves as JSON.
    "unseen.config.api.ApiErrorsMiddleware",
    # Before anything reads a body (sessions, CSRF, rate limits, the views): an oversized body or
    # an API body that is not JSON is refused unread.
    "unseen.config.bodies.RequestBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "unseen.accounts.middleware.IdleTimeoutMiddleware",
    # After the session's idle check (a token request must not touch a session), before the audit
    # actor is named (a token's user is the actor).
    "unseen.accounts.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "unseen.audit.middleware.AuditActorMiddleware",
    "unseen.accounts.middleware.DeclaredPermissionMiddleware",
    "unseen.accounts.middleware.TwoFactorMiddleware",
]

ROOT_URLCONF = "unseen.config.urls"
WSGI_APPLICATION = "unseen.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "unseen.documentation.context_processors.workspace",
                "unseen.teamwork.context_processors.notifications",
            ],
        },
    },
]

SQLITE_PATH = VAR_DIR / "unseen.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=env_int("UNSEEN_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Created 0600 in a 0700 folder before SQLite opens it: it holds testimony (see private_files).
    private_sqlite(Path(DATABASES["default"]["NAME"]))
    # IMMEDIATE transactions take the write lock up front, so two writers queue instead of
    # failing with "database is locked" half-way through; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # A page cache of up to 64 MiB per connection (SQLite's default is 2 MiB): analysis pages
        # read every event of tens of thousands of testimonies, and the default made them reread
        # the same pages from the operating system (bench_flows, 20,000 testimonies: 300 → 280 ms).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per process: maps, charts and public pages are cached under the audit log's last change to the
# models they read, so no entry can go stale (see publishing/freshness.py, ADR 0036); nothing
# identifying is ever cached.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 3600}}

AUTH_USER_MODEL = "accounts.User"
# Failed sign-ins are counted before the password is checked (see accounts/throttling.py).
AUTHENTICATION_BACKENDS = ["unseen.accounts.throttling.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "documentation:dashboard"

# E-mail, only for notifications to staff (teamwork/notifying.py). Nothing is sent unless a mail
# server is named or UNSEEN_EMAIL_NOTIFICATIONS turns it on (e.g. with Django's console backend).
EMAIL_HOST = os.environ.get("UNSEEN_EMAIL_HOST", "").strip()
EMAIL_PORT = env_int("UNSEEN_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("UNSEEN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("UNSEEN_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_flag("UNSEEN_EMAIL_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("UNSEEN_EMAIL_FROM", "unseen@localhost")
UNSEEN_EMAIL_NOTIFICATIONS = env_flag("UNSEEN_EMAIL_NOTIFICATIONS", bool(EMAIL_HOST))
# Where e-mails link to: this server's address as staff reach it. Unset, they give only the path.
UNSEEN_SITE_URL = os.environ.get("UNSEEN_SITE_URL", "").strip()
LOGOUT_REDIRECT_URL = "publishing:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = env_int("UNSEEN_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A session left untouched this long is signed out (0 turns the idle timeout off).
UNSEEN_IDLE_SECONDS = env_int("UNSEEN_IDLE_SECONDS", 3600)
# The flows of journeys show nothing resting on fewer testimonies than this (never under 3;
# the public page uses at least 11). See docs/methods/journeys.md.
UNSEEN_FLOWS_K = env_int("UNSEEN_FLOWS_K", 5)

# Two-factor sign-in (TOTP, with recovery codes) for every staff account; on unless this is the
# demo, which must stay usable with the demo's known passwords. See accounts/two_factor.py.
UNSEEN_REQUIRE_2FA = env_flag("UNSEEN_REQUIRE_2FA", not DEMO)
OTP_TOTP_ISSUER = "Unseen"
# Failed sign-ins: this many per account, or per client, within the window lock further attempts
# until the window ends. Clients are counted under a keyed hash of their address, never the address.
UNSEEN_LOGIN_FAILURES = env_int("UNSEEN_LOGIN_FAILURES", 5)
UNSEEN_LOGIN_LOCK_SECONDS = env_int("UNSEEN_LOGIN_LOCK_SECONDS", 15 * 60)
# /healthz shows its version and migration state to a monitor sending `Authorization: Bearer` and
# this value (unset: only to a signed-in administrator); anyone else learns only up or not.
UNSEEN_HEALTH_TOKEN = env_secret("UNSEEN_HEALTH_TOKEN")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_flag("UNSEEN_SECURE_COOKIES", not DEBUG and not DEMO)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_flag("UNSEEN_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    # Trust the proxy's word that the browser spoke HTTPS; only safe when the proxy sets it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind TLS, plain http is redirected and browsers are told to use HTTPS only (HSTS).
SECURE_SSL_REDIRECT = env_flag("UNSEEN_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env_int("UNSEEN_HSTS_SECONDS", 365 * 24 * 3600 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("UNSEEN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("UNSEEN_HSTS_PRELOAD", False)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not SECURE_HSTS_PRELOAD:
    # Asking browsers to preload the domain is a commitment only its operator can make.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Every page uses only our own scripts, styles and images; `style` attributes (bar widths) and
# `<script type="application/json">` data blocks are the only inline content.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "src" / "unseen" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the apps' static folders: no collectstatic step between a clone and `make demo`.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "files"
# Django's storage sets 0644 on saved files unless told otherwise, whatever the umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Public intake (see src/unseen/intake/README.md). Rate limits count submissions per client and
# form in the cache under a hash of the address keyed by a random key per window, kept only in
# memory (never the address itself); "off" turns them off (the load benchmark does).
UNSEEN_INTAKE_RATE_LIMIT = os.environ.get("UNSEEN_INTAKE_RATE_LIMIT", "10/600")
if not re.fullmatch(r"off|none|0|\d+(/\d+)?", UNSEEN_INTAKE_RATE_LIMIT.strip().lower()):
    raise ImproperlyConfigured(
        f"UNSEEN_INTAKE_RATE_LIMIT={UNSEEN_INTAKE_RATE_LIMIT!r} is not COUNT/SECONDS (e.g. 10/600) "
        "or off"
    )
# Receipt codes are stored as HMAC-SHA256 under a key outside the database: base64 of 32 bytes in
# UNSEEN_RECEIPT_KEY, else the key file UNSEEN_RECEIPT_KEY_FILE (default var/keys/receipt.key,
# created 0600 on first use). See intake/receipts.py.
UNSEEN_RECEIPT_KEY = env_secret("UNSEEN_RECEIPT_KEY", read_file=False)
UNSEEN_RECEIPT_KEY_FILE = os.environ.get("UNSEEN_RECEIPT_KEY_FILE", "")
UNSEEN_INTAKE_RETENTION_DAYS = env_int("UNSEEN_INTAKE_RETENTION_DAYS", 30)
UNSEEN_INTAKE_MAX_UPLOAD_MB = env_float("UNSEEN_INTAKE_MAX_UPLOAD_MB", 10)
UNSEEN_INTAKE_MAX_PHOTOS = env_int("UNSEEN_INTAKE_MAX_PHOTOS", 5)

# Evidence files (src/unseen/files, ADR 0028): originals and working copies, each encrypted under a
# key of its own, in a 0700 folder under random names. A file beyond UNSEEN_FILES_MAX_MB is refused
# before a byte of it is written, and so is one the disk has no room for. One upload request takes
# up to UNSEEN_FILES_PER_UPLOAD files (its body may be that many times the file limit). Files are
# encrypted in segments of UNSEEN_FILES_SEGMENT bytes (a reader needs one segment in memory).
UNSEEN_FILES_DIR = Path(os.environ.get("UNSEEN_FILES_DIR", VAR_DIR / "evidence"))
UNSEEN_FILES_MAX_MB = env_float("UNSEEN_FILES_MAX_MB", 2048)
UNSEEN_FILES_PER_UPLOAD = env_int("UNSEEN_FILES_PER_UPLOAD", 20)
UNSEEN_FILES_SEGMENT = env_int("UNSEEN_FILES_SEGMENT", 1 << 20)
# Dossiers (src/unseen/dossiers, ADR 0033): a made dossier's PDF is kept, 0600 under VAR_DIR/dossiers,
# for UNSEEN_DOSSIER_HOURS, then deleted; its page says it has expired and offers to make it again.
UNSEEN_DOSSIER_HOURS = env_float("UNSEEN_DOSSIER_HOURS", 24)
# Trusted time (ADR 0029): the RFC 3161 timestamp authority `unseen custody stamp` asks when no
# --tsa is given, and the PEM file of its CA certificate(s) that `stamp` and `verify` check tokens
# against. No default authority: nothing is sent anywhere until the operator names one.
UNSEEN_TSA_URL = os.environ.get("UNSEEN_TSA_URL", "")
UNSEEN_TSA_CA_FILE = os.environ.get("UNSEEN_TSA_CA_FILE", "")

# Tables read from a user's upload (the import page, estimates, revenue) are refused beyond these
# before they are parsed: a 123 KB spreadsheet that unpacked to 51 MB held a worker for 78 s. The
# command line applies only the unpacked size, to spreadsheets (`unseen link` and `unseen import`
# read files of a million rows); see docs/reference/import.md.
UNSEEN_TABLE_MAX_UNPACKED_MB = env_float("UNSEEN_TABLE_MAX_UNPACKED_MB", 50)
UNSEEN_TABLE_MAX_ROWS = env_int("UNSEEN_TABLE_MAX_ROWS", 200000)

# A request body larger than this is refused (413) before anything reads it, rate limits and CSRF
# included. The default fits the largest legitimate body: a report with every photo at its largest,
# or a table at its largest, plus 1 MB for the form's other fields and the multipart framing.
UNSEEN_MAX_REQUEST_MB = env_float(
    "UNSEEN_MAX_REQUEST_MB",
    max(UNSEEN_INTAKE_MAX_PHOTOS * UNSEEN_INTAKE_MAX_UPLOAD_MB, UNSEEN_TABLE_MAX_UNPACKED_MB) + 1,
)
# The largest body Django reads into memory (JSON for the API, a form's fields): a bulk create of
# 10,000 records with their notes is a few MB; Django's own default (2.5 MB) refused it without
# a reason. Above it the API answers 413 saying so (config/bodies.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env_float("UNSEEN_API_MAX_BODY_MB", 32) * 1024 * 1024)
# Optional Akismet check of submitted text (nothing identifying is sent: no address, no agent).
UNSEEN_AKISMET_KEY = env_secret("UNSEEN_AKISMET_KEY")
UNSEEN_AKISMET_URL = os.environ.get(
    "UNSEEN_AKISMET_URL", "https://rest.akismet.com/1.1/comment-check"
)
UNSEEN_AKISMET_SITE = os.environ.get("UNSEEN_AKISMET_SITE", "https://unseen.invalid/")

# Exports: pseudonyms are HMAC-SHA256 under a key per recipient, derived from this secret. Unset,
# the secret is read from var/keys/export_key, which no export creates: `unseen export --init-key`
# (publishing.exports.init_export_key) makes it once, and an export stops when it is missing.
UNSEEN_EXPORT_KEY = env_secret("UNSEEN_EXPORT_KEY")
# Exports made from the web (/app/exports/, ADR 0035) are zipped into this private folder (0700,
# files 0600), downloadable by the person who asked for UNSEEN_EXPORT_DOWNLOAD_HOURS, then deleted.
UNSEEN_EXPORTS_DIR = Path(os.environ.get("UNSEEN_EXPORTS_DIR", VAR_DIR / "exports"))
UNSEEN_EXPORT_DOWNLOAD_HOURS = env_float("UNSEEN_EXPORT_DOWNLOAD_HOURS", 24)
# `unseen backup` and `unseen restore` derive the archive key from this (or from --passphrase-file).
UNSEEN_BACKUP_PASSPHRASE = env_secret("UNSEEN_BACKUP_PASSPHRASE")

# Long work (linkage runs, and what comes after them) runs as tasks of Django's tasks framework, by
# `unseen worker` beside the server (see src/unseen/jobs/README.md). UNSEEN_TASKS_BACKEND is
# "database" (the default: the queue is a table of this database, so it survives restarts),
# "immediate" (the task runs at once, inside the request that queued it: only for trying things
# out) or the dotted path of another backend, e.g. a broker's for a larger installation
# ("django_tasks_rq.RQBackend", once `django-tasks-rq` is installed and configured).
UNSEEN_TASKS_BACKEND = os.environ.get("UNSEEN_TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(UNSEEN_TASKS_BACKEND, UNSEEN_TASKS_BACKEND),
    }
}

# Logs carry no request bodies, query strings or addresses: witnesses' and reporters' details
# must never reach a log file.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("UNSEEN_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Revisions (ADR 0021): an editor's reason can be longer than a line.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
