"""Django settings, read from the environment.

SECRET_KEY   unset: generated once into .secret_key (git-ignored) beside manage.py.
DEBUG        "1"/"true" for development (default off; ./run turns it on for the local app).
ALLOWED_HOSTS  comma-separated (default 127.0.0.1,localhost).
DATABASE_URL sqlite:///path (default: data/modeler.sqlite3) or postgresql://… / postgres://…
DB_CONN_MAX_AGE  seconds of persistent connections on PostgreSQL (default 60);
DB_POOL=1    use psycopg 3's connection pool instead (DB_POOL_MIN/DB_POOL_MAX).
DB_PGBOUNCER=1  DATABASE_URL is PgBouncer in transaction mode (no server-side cursors).
CACHE_URL    redis://… to use Redis through Django's cache framework (default: local memory);
             sessions are then read from it too (written through to the database).
MODELER_LIVE_IMPORT_HOSTS  host:port pairs the web's live import may read (see below).
AXES_FAILURE_LIMIT / AXES_COOLOFF_MINUTES  sign-in throttling (default 10 wrong passwords, 15 min).
CSP_REPORT_ONLY  "1": the Content-Security-Policy only reports (default: enforced).
MODELER_TASKS_BACKEND  database (default) | rq | immediate: where background tasks run (below).
REDIS_URL    Redis for the rq task backend (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("MODELER_DATA_DIR", BASE_DIR / "data"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(os.environ.get("SECRET_KEY_FILE", BASE_DIR / ".secret_key"))
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def live_import_hosts(text: str) -> list[tuple[str, int | None]]:
    """``MODELER_LIVE_IMPORT_HOSTS``: ``host:port,host:*,[::1]:5432`` (a bare host means port
    5432, ``*`` any port) as ``[(host, port or None)]``; empty means none."""
    out: list[tuple[str, int | None]] = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        if entry.startswith("["):
            host, _, rest = entry[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else ("5432" if not rest else "bad")
        else:
            host, sep, port = entry.rpartition(":")
            host, port = (host, port) if sep else (entry, "5432")
        if not host or not (port == "*" or (port.isdigit() and 0 < int(port) < 65536)):
            raise ValueError(f"MODELER_LIVE_IMPORT_HOSTS: {entry!r} is not host:port or host:*")
        out.append((host.lower(), None if port == "*" else int(port)))
    return out


def database_from_url(url: str) -> dict[str, object]:
    """Django DATABASES entry for a sqlite:/// or postgresql:// / postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # SQLAlchemy's convention: sqlite:///relative/file, sqlite:////absolute/file
        path = unquote(parts.path)[1:]
        name = str(BASE_DIR / path) if path and not path.startswith("/") else path
        name = name or str(DATA_DIR / "modeler.sqlite3")
        Path(name).parent.mkdir(parents=True, exist_ok=True)  # data/ on a fresh checkout
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name,
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}
    if parts.scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        options: dict[str, object] = dict(query)
        entry: dict[str, object] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
        if _flag("DB_POOL"):
            options["pool"] = {"min_size": int(os.environ.get("DB_POOL_MIN", "2")),
                               "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
                               "timeout": 10}
            entry["CONN_MAX_AGE"] = 0
        else:
            entry["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
            entry["CONN_HEALTH_CHECKS"] = True
        if _flag("DB_PGBOUNCER"):  # transaction pooling: a named cursor cannot span it
            entry["DISABLE_SERVER_SIDE_CURSORS"] = True
        entry["OPTIONS"] = options
        return entry
    raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r}")


SECRET_KEY = _secret_key()
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS",
                                                    "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
                        if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "modeler.web",
    "modeler.review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # text answers gzip-compressed (after WhiteNoise, which serves its own compressed files)
    "modeler.web.compress.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # last, as django-axes asks: turns a locked-out login into its lockout page
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from
# one address lock that pair out for AXES_COOLOFF_MINUTES, even if the right password comes
# next; the lockout page is a 429 (templates/registration/locked_out.html).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = _flag("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False


def _axes_username(request: object, credentials: dict[str, object] | None) -> str:
    """The username axes records, cut to its column's 255 characters (a megabyte one was a
    DataError: a 500 on the login page)."""
    post = getattr(request, "POST", {})
    return str((credentials or {}).get("username") or post.get("username") or "")[:255]


AXES_USERNAME_CALLABLE = _axes_username

# Content-Security-Policy (django-csp 4): no inline script and no eval anywhere (the pages'
# scripts are static files; htmx runs with allowEval off, see static/js/csp.js); inline
# style attributes stay allowed (Graphviz SVG and htmx set them). CSP_REPORT_ONLY=1 sends
# the same policy as Content-Security-Policy-Report-Only instead.
_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}
if _flag("CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

ROOT_URLCONF = "modeler.urls"
WSGI_APPLICATION = "modeler.wsgi.application"
ASGI_APPLICATION = "modeler.asgi.application"

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

DATABASES = {"default": database_from_url(
    os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'modeler.sqlite3'}")}

_cache_url = os.environ.get("CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": _cache_url, "TIMEOUT": 3600}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "LOCATION": "modeler", "TIMEOUT": 3600,
                          # node-size entries add about one per table per view
                          "OPTIONS": {"MAX_ENTRIES": 20000}}}

# Sessions: with a cache all processes share (Redis), read from it and written through to
# the database (every request's session costs a Redis round trip, not one to the database
# through PgBouncer). Not with the local-memory cache: a session that one process deletes
# (a sign-out) could stay valid in another process's copy.
if _cache_url.startswith(("redis://", "rediss://")):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background work (issue #18): Django's tasks framework through the django-tasks backport
# (the code moves to Django 6's django.tasks unchanged); the tasks are modeler/web/tasks.py.
# MODELER_TASKS_BACKEND:
#   database   (default) tasks are rows of this database (django-tasks-db), run by
#              `manage.py db_worker` (./run starts one beside the web server);
#   rq         RQ on Redis (REDIS_URL, django-tasks-rq), run by
#              `manage.py rqworker default --job-class django_tasks_rq.Job`;
#   immediate  inside the request that enqueues (no worker; the tests' default).
MODELER_TASKS_BACKEND = os.environ.get("MODELER_TASKS_BACKEND", "database")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if MODELER_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif MODELER_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # a job's own time limit: the import's heartbeat shows a dead worker long before
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
elif MODELER_TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default"]}}
else:
    raise ValueError(f"MODELER_TASKS_BACKEND: {MODELER_TASKS_BACKEND!r} is not database, rq "
                     "or immediate")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _flag("STATIC_MANIFEST") else
        "django.contrib.staticfiles.storage.StaticFilesStorage")},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads (schema imports) are capped; the import view gives a clear error above it.
MODELER_MAX_UPLOAD_BYTES = int(os.environ.get("MODELER_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MODELER_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# What the export bundle holds unless asked otherwise: "sqlalchemy" (models + Alembic),
# "drizzle" (a Drizzle ORM TypeScript project) or "both" (see README, "Drizzle export").
MODELER_EXPORT_TARGET = os.environ.get("MODELER_EXPORT_TARGET", "sqlalchemy")
if MODELER_EXPORT_TARGET not in ("sqlalchemy", "drizzle", "both"):
    raise ValueError(f"MODELER_EXPORT_TARGET: {MODELER_EXPORT_TARGET!r} is not sqlalchemy, "
                     "drizzle or both")

# Live database import from the web (issue #12): only these host:port pairs (empty: none),
# never the app's own database; bounded in time and in number at once (per process).
LIVE_IMPORT_ALLOWED = live_import_hosts(os.environ.get("MODELER_LIVE_IMPORT_HOSTS", ""))
LIVE_IMPORT_CONNECT_TIMEOUT = float(os.environ.get("MODELER_LIVE_IMPORT_CONNECT_TIMEOUT", "10"))
LIVE_IMPORT_STATEMENT_TIMEOUT = float(os.environ.get("MODELER_LIVE_IMPORT_STATEMENT_TIMEOUT",
                                                     "60"))
LIVE_IMPORT_TIMEOUT = float(os.environ.get("MODELER_LIVE_IMPORT_TIMEOUT", "300"))
LIVE_IMPORT_CONCURRENCY = int(os.environ.get("MODELER_LIVE_IMPORT_CONCURRENCY", "1"))
# An import job whose heartbeat (every 2 s) stopped this many seconds ago is shown as failed
# (its worker died), and one no worker took in MODELER_IMPORT_QUEUE_TIMEOUT seconds too; see
# modeler/web/importjobs.py.
MODELER_IMPORT_STALE_AFTER = float(os.environ.get("MODELER_IMPORT_STALE_AFTER", "30"))
MODELER_IMPORT_QUEUE_TIMEOUT = float(os.environ.get("MODELER_IMPORT_QUEUE_TIMEOUT", "600"))
# Export bundles of versions above MODELER_EXPORT_INLINE_TABLES tables are built by a task and
# kept in the database MODELER_EXPORT_KEEP_HOURS (or until superseded); a build running longer
# than MODELER_EXPORT_TIMEOUT seconds is shown failed (modeler/web/exportjobs.py).
MODELER_EXPORT_INLINE_TABLES = int(os.environ.get("MODELER_EXPORT_INLINE_TABLES", "150"))
MODELER_EXPORT_KEEP_HOURS = float(os.environ.get("MODELER_EXPORT_KEEP_HOURS", "24"))
MODELER_EXPORT_TIMEOUT = float(os.environ.get("MODELER_EXPORT_TIMEOUT", "600"))

# Rehearsal (issue #19): the PostgreSQL server where scratch databases are created and
# dropped (a role that may CREATE DATABASE; e.g. a Neon branch). Empty: a throw-away local
# cluster from the installed server binaries.
MODELER_REHEARSAL_URL = os.environ.get("MODELER_REHEARSAL_URL", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "modeler@localhost")

GRAPHVIZ_TIMEOUT = float(os.environ.get("GRAPHVIZ_TIMEOUT", "30"))
# Compare every snapshot-cache hit with a fresh read (the test suite turns it on).
SNAPSHOT_CACHE_VERIFY = os.environ.get("SNAPSHOT_CACHE_VERIFY") == "1"
# Issue #17: the garbage collector's thresholds (gc.set_threshold, set when the app is ready;
# empty: Python's own). With Python's (700, 10, 10) one edit of a 1,000-table design runs
# about 140 young collections, each moving the edit's short-lived objects on, and so a full
# collection over everything alive (about 150 ms of CPU) every other edit; with a young
# generation of 20,000 most of them are gone before any collection sees them (measured:
# bench/profile_edit.py --gc-threshold). Cycles are still collected, a little later.
GC_THRESHOLDS = tuple(int(x) for x in os.environ.get("GC_THRESHOLDS", "20000 20 10").split())
# Render the editor's diagram on a worker thread while the request does the rest.
DIAGRAM_THREADS = os.environ.get("DIAGRAM_THREADS", "1") == "1"
# Issue #17: a request waits on one Graphviz pass at most DIAGRAM_REQUEST_BUDGET seconds;
# designs up to DIAGRAM_INLINE_LAYOUT_TABLES tables get their first layout (and re-layouts)
# in the request, larger ones on a background job (DIAGRAM_LAYOUT_BUDGET seconds) while the
# editor shows a provisional placement.
DIAGRAM_REQUEST_BUDGET = float(os.environ.get("DIAGRAM_REQUEST_BUDGET", "10"))
DIAGRAM_INLINE_LAYOUT_TABLES = int(os.environ.get("DIAGRAM_INLINE_LAYOUT_TABLES", "150"))
DIAGRAM_LAYOUT_BUDGET = float(os.environ.get("DIAGRAM_LAYOUT_BUDGET", "120"))

SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks come over plain HTTP
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _flag("SECURE_COOKIES", default=not DEBUG and _flag("BEHIND_HTTPS")):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "3600"))
    # on by default (what `check --deploy` asks); 0 when other subdomains are not HTTPS-only
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes: lockouts are warnings; every sign-in's "reset" line is not worth logging
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
