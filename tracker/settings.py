"""Settings, all from environment variables; see README "Configuration"."""

import hashlib
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    # Local work only: a fixed, public development key and local hosts.
    SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    required = (
        ("DJANGO_SECRET_KEY", SECRET_KEY),
        ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("TRACKER_SITE_URL", os.environ.get("TRACKER_SITE_URL")),
    )
    missing = [name for name, value in required if not value]
    if missing:
        names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
        sys.exit(f"Refusing to start with DJANGO_DEBUG=false: set {names}.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "simple_history",
    "axes",
    # Before the apps whose tasks it runs (its Django app must be ready first).
    "procrastinate.contrib.django",
    "statements",
    "api",
    "web",
    "statements.webhooks",
    "statements.alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First of ours: decides where this request's reads go (a replica or the primary) for every
    # middleware and view after it, and reads a GET again elsewhere when a replica fails it.
    "tracker.db_router.ReadRoutingMiddleware",
    # Outermost of those that touch bodies: JSON, feeds, CSV and pages leave compressed (streams
    # too) when the client accepts gzip; a strong ETag becomes weak (W/"…"), as RFC 9110 wants.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # The site's 405s as pages in its layout, with Allow (web/errors.py).
    "web.errors.NotAllowedPageMiddleware",
    # A view's database failure (unreachable, pool exhausted, statement timeout): 503 with
    # Retry-After, never a 500 (tracker/failures.py).
    "tracker.failures.ServiceUnavailableMiddleware",
    # Outside ConditionalGetMiddleware, so that every answer says where the client stands (a
    # 304 it makes would drop the RateLimit-* headers), and before any work is done.
    "api.middleware.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.ConditionalGetMiddleware",  # Django's, for HEAD too
    # Names what each cacheable answer contains (Surrogate-Key/xkey/Cache-Tag), for purges.
    "tracker.http_cache.SurrogateKeyMiddleware",
    "api.middleware.PublicCacheMiddleware",
    "api.middleware.RevalidationMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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

# Database: DATABASE_URL, or the embedded PostgreSQL 18 under .pgdata/ (git-ignored).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from tracker.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(BASE_DIR / ".pgdata", os.environ.get("EMBEDDED_DATABASE_NAME", "tracker"))

# Web requests get a 2 s statement timeout; manage.py lifts it for commands other than runserver.
STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "2000"))
# How long an editor's save waits for a statement another writer (an import) holds, before it
# is refused with "try again" (statements/services/editing.py).
EDITOR_LOCK_TIMEOUT_MS = int(os.environ.get("EDITOR_LOCK_TIMEOUT_MS", "1500"))


def _database(url: str, name: str) -> dict:
    """A database setting from a URL, or one line naming the variable and what is wrong with it."""
    try:
        parsed = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
    except Exception as exc:  # dj-database-url raises several kinds for a bad URL
        sys.exit(f"{name} is not a database URL ({exc}); expected postgres://user:password@host:5432/database")
    if parsed.get("ENGINE") != "django.db.backends.postgresql":
        sys.exit(f"{name} must point to PostgreSQL (postgres://user:password@host:5432/database), not {url[:40]!r}")
    return parsed


# A pool of connections per process (psycopg_pool through Django's OPTIONS["pool"]): connections
# used stay bounded whatever the load (README "Running in production": workers × pool size ≤
# max_connections − reserve). A request finding every connection busy waits at most
# DATABASE_POOL_TIMEOUT_SECONDS, then is answered 503 with Retry-After (tracker/failures.py).
# Each connection is checked before use, so after PostgreSQL restarts no request gets a dead one.
# On by default in production (DJANGO_DEBUG=false); 0 turns it off (persistent connections).
DATABASE_POOL_MAX_SIZE = int(
    os.environ.get("DATABASE_POOL_MAX_SIZE") or ("0" if DEBUG else os.environ.get("GUNICORN_THREADS", "4"))
)
DATABASE_POOL_TIMEOUT_SECONDS = float(os.environ.get("DATABASE_POOL_TIMEOUT_SECONDS", "2"))


def _pool_options() -> dict:
    from psycopg_pool import ConnectionPool

    return {
        "min_size": min(int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")), DATABASE_POOL_MAX_SIZE),
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": DATABASE_POOL_TIMEOUT_SECONDS,
        # Connections idle this long are closed (down to min_size); none lives past an hour.
        "max_idle": 300,
        "max_lifetime": 3600,
        # While PostgreSQL is unreachable the pool retries in the background with backoff; it
        # gives an attempt up after this, and the next request starts a fresh one, so a
        # database that comes back is used again within seconds.
        "reconnect_timeout": float(os.environ.get("DATABASE_POOL_RECONNECT_SECONDS", "5")),
        "check": ConnectionPool.check_connection,
    }


DATABASES = {"default": _database(DATABASE_URL, "DATABASE_URL")}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
if DATABASE_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # the pool checks them
    DATABASES["default"]["OPTIONS"]["pool"] = _pool_options()
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
# How connections name themselves in pg_stat_activity (one name per app server helps).
DATABASES["default"]["OPTIONS"]["application_name"] = os.environ.get("DATABASE_APPLICATION_NAME", "tracker")
# Read replicas (streaming from the primary; README "Deploying beyond one machine"): anonymous
# public reads go to a healthy one, everything else to the primary (tracker/db_router.py).
for index, url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    replica = _database(url, "DATABASE_REPLICA_URLS")
    # Django's PostgreSQL backend, reporting a replica that fails to the router. Persistent
    # connections, not the pool: a replica that dies must fail fast (connect_timeout) so the read
    # is retried elsewhere, where a pool would wait its timeout for a connection first.
    replica["ENGINE"] = "tracker.replica_db"
    replica["OPTIONS"] = {
        **{key: value for key, value in DATABASES["default"]["OPTIONS"].items() if key != "pool"},
        **replica.get("OPTIONS", {}),
        "connect_timeout": int(os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2")),
    }
    replica["CONN_HEALTH_CHECKS"] = True
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{index}"] = replica
DATABASE_ROUTERS = ["tracker.db_router.ReplicaRouter"]
# A replica replaying more than this many seconds behind the primary is skipped.
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "10"))
# Each process asks each replica for its lag at most this often (never on every request).
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "5"))
# After its own write, a client reads from the primary for this long (a signed cookie).
DATABASE_PIN_SECONDS = int(os.environ.get("DATABASE_PIN_SECONDS", "15"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Redis, shared by every worker and server (rate limit, revalidation). Failing well
# (tracker/cache.py): a call waits at most REDIS_TIMEOUT_SECONDS; after a failure Redis is
# skipped for REDIS_BREAKER_SECONDS (the cache misses, the rate limit counts per process).
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.1"))
REDIS_BREAKER_SECONDS = float(os.environ.get("REDIS_BREAKER_SECONDS", "5"))
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "tracker.cache.ResilientRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tracker"),
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Whitenoise serves collected files in production; locally it finds them in the apps.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The public address every absolute link is built from (api/links.py), never a client's Host
# header; required in production. Unset for local work: links follow the request's own origin
# (LOCAL_SITE_URL when there is no request, as in commands).
SITE_URL = os.environ.get("TRACKER_SITE_URL", "").rstrip("/")
LOCAL_SITE_URL = "http://127.0.0.1:8000"
# Where the admin lives (tracker/urls.py); robots.txt keeps crawlers out of it.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/")

# Whom to tell about a vulnerability, published in /.well-known/security.txt (RFC 9116): one or
# more comma-separated URIs, each mailto:, https:// or tel:. Unset: that file is a 404.
SECURITY_CONTACTS = env_list("TRACKER_SECURITY_CONTACT")
if any(not contact.startswith(("mailto:", "https://", "tel:")) for contact in SECURITY_CONTACTS):
    raise ImproperlyConfigured(
        f"TRACKER_SECURITY_CONTACT takes mailto:, https:// or tel: URIs (RFC 9116), not {SECURITY_CONTACTS!r}"
    )


def _code_fingerprint() -> str:
    """A hash of what renders public answers (code, SQL, templates, static files, pinned
    libraries, in every app that serves them): a revalidation that one release confirmed is never
    trusted by another (api/middleware.py)."""
    digest = hashlib.sha256()
    for app in RELEASE_APPS:
        for path in sorted(p for p in (BASE_DIR / app).rglob("*") if p.is_file() and p.suffix in RELEASE_SUFFIXES):
            digest.update(str(path.relative_to(BASE_DIR)).encode() + b"\0" + path.read_bytes())
    digest.update((BASE_DIR / "requirements.txt").read_bytes())
    return digest.hexdigest()[:16]


# What the release fingerprint reads: every app folder, every kind of file that shapes an answer.
RELEASE_APPS = ("api", "statements", "tracker", "web")
RELEASE_SUFFIXES = {".py", ".sql", ".html", ".txt", ".xml", ".css", ".js", ".svg", ".json"}


# The release being served (a git SHA, say); by default a fingerprint of the code.
RELEASE = os.environ.get("TRACKER_RELEASE") or _code_fingerprint()

# Government codes: ISO 3166-1 alpha-2 from django-countries, plus the two exceptionally
# reserved codes the tracker needs.
COUNTRIES_OVERRIDE = {"EU": "European Union", "UN": "United Nations", "US": "United States"}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.renderers.ProblemAwareNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.TrackerAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
    "DATE_FORMAT": "iso-8601",
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Statement tracker API",
    "DESCRIPTION": (
        "What governments say about admitting asylum seekers: verbatim, sourced official statements "
        "coded by stance. Anonymous, read-only, JSON. See the README for a tour."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_components_and_vocabularies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StanceEnum": "statements.models.Stance",
        "StatusEnum": "statements.models.Status",
        "DatePrecisionEnum": "statements.models.DatePrecision",
        "SpeakerKindEnum": "statements.models.SpeakerKind",
        "GovernmentKindEnum": "statements.models.GovernmentKind",
    },
}

# CORS: public, credential-free reads on the API, feeds and oEmbed only.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/(api|feeds|oembed)(/.*)?$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# A browser client on another origin can revalidate, and read what a client needs to page,
# revalidate and stay within the rate limit (SPEC §5).
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since", "cache-control"]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Link",
    "Retry-After",
    "RateLimit-Policy",
    "RateLimit",
]

# History is for reading: reverting from the history page would bypass the editorial rules
# (corrections need a public note), so edits go through the statement form only.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Change reasons carry correction notes and retraction reasons, which are longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# A strict Content Security Policy on every response: no inline scripts or styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Production: HTTPS only. Behind a TLS-terminating proxy, set DJANGO_SECURE_PROXY_SSL_HEADER
# (e.g. HTTP_X_FORWARDED_PROTO) so Django knows a request came in over HTTPS.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # The header alone enrols nothing: submitting the domain to the preload list is a separate step.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = (os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"], "https")
    # Health checks from the load balancer come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# A form sent without its CSRF token: a 403 page in the site's layout.
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Request bodies: the API takes none; the admin's forms are small.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Whether a draft's author (anyone who wrote or edited it) may publish it: off for small teams,
# on for newsrooms with a review desk (README "Editing").
TRACKER_REQUIRE_SECOND_EDITOR = env_bool("TRACKER_REQUIRE_SECOND_EDITOR", False)

# Admin logins (django-axes): locked for 15 minutes after 5 failures for one username from one
# client address, or 30 from one address whatever the usernames (statements/admin/logins.py).
# The address is the real client's, through DJANGO_NUM_PROXIES (api.middleware.client_address):
# behind a proxy, every client would otherwise share the proxy's address, and five failures by
# anyone would lock the real editor out. Unlock: `manage.py axes_reset_username NAME`.
AXES_USER_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "30"))
AXES_FAILURE_LIMIT = "statements.admin.logins.failure_limit"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "api.middleware.client_address"

# Quote checks running at once on one machine, across its worker processes (api/admission.py):
# the rest wait up to QUOTE_CHECK_WAIT_SECONDS, then get a 503 with Retry-After, so that costly
# checks never hold every thread nor every core. The slots are lock files in ADMISSION_LOCK_DIR
# (default: a folder of the system's temporary directory, per user).
QUOTE_CHECK_CONCURRENCY = int(os.environ.get("QUOTE_CHECK_CONCURRENCY", "1"))
QUOTE_CHECK_WAIT_SECONDS = float(os.environ.get("QUOTE_CHECK_WAIT_SECONDS", "0.1"))
ADMISSION_LOCK_DIR = os.environ.get("ADMISSION_LOCK_DIR", "")

# Public API rate limit per client address, counted in the shared cache (Redis when REDIS_URL
# is set, so the limit holds across every worker and server). "N/second|minute|hour".
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/minute")
# Proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
NUM_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", "0"))

# The task queue (Procrastinate, on the same PostgreSQL; `./dev worker`). Its worker runs the
# event log's fan-out and the webhook deliveries (README "Push: webhooks and the event log").
# A worker says it is alive every WORKER_HEARTBEAT_SECONDS; a job of a worker silent for three
# times that is taken for stalled (a killed worker) and run again by the sweep.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": WORKER_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": 3 * WORKER_HEARTBEAT_SECONDS,
    # How often a worker looks for jobs scheduled for later (retries); new jobs wake it at once.
    "fetch_job_polling_interval": float(os.environ.get("WORKER_POLLING_SECONDS", "5")),
}
# The sweep (every SWEEP_SECONDS): fans out events nobody fanned out, runs stalled jobs again,
# and defers the delivery of every due delivery that has no job.
TRACKER_SWEEP_SECONDS = int(os.environ.get("TRACKER_SWEEP_SECONDS", "10"))

# Webhooks (SPEC §10). Outbound requests never reach loopback, private, link-local, CGNAT,
# multicast or unspecified addresses unless this is true (tests, local development).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "10"))
# Seconds before each retry (7 retries: 8 attempts over about 28 hours, Svix's schedule), each
# with ±10% jitter. Tests shorten it.
WEBHOOKS_RETRY_DELAYS = [
    float(delay)
    for delay in env_list("WEBHOOKS_RETRY_DELAYS") or ["5", "300", "1800", "7200", "18000", "36000", "36000"]
]

# The HTTP cache in front (README "Deploying beyond one machine"): every change of the public
# record purges the responses naming it, at each of these comma-separated URLs (Varnish's, or a
# CDN's purge-by-tag API), in the form HTTP_CACHE_PURGE_STYLE names: varnish, fastly, cloudflare.
HTTP_CACHE_PURGE_URLS = env_list("HTTP_CACHE_PURGE_URL")
HTTP_CACHE_PURGE_STYLE = os.environ.get("HTTP_CACHE_PURGE_STYLE", "varnish")
if HTTP_CACHE_PURGE_STYLE not in ("varnish", "fastly", "cloudflare"):
    raise ImproperlyConfigured(
        f"HTTP_CACHE_PURGE_STYLE must be varnish, fastly or cloudflare, not {HTTP_CACHE_PURGE_STYLE!r}"
    )
HTTP_CACHE_PURGE_TOKEN = os.environ.get("HTTP_CACHE_PURGE_TOKEN", "")
HTTP_CACHE_PURGE_TIMEOUT = float(os.environ.get("HTTP_CACHE_PURGE_TIMEOUT", "5"))

# E-mail (SPEC §11): SMTP through Django's e-mail backend (Django 6.1's MAILERS; the EMAIL_*
# settings of old are deprecated there), configured from the environment variables of old.
# With DJANGO_DEBUG and no EMAIL_HOST, mail is printed to the console (local work sends nothing).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Statement tracker <alerts@localhost>")
if DEBUG and not os.environ.get("EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST") or "localhost",
                "port": int(os.environ.get("EMAIL_PORT") or "25"),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": float(os.environ.get("EMAIL_TIMEOUT") or "30"),
            },
        }
    }

# E-mail alerts (README "Follow by e-mail"). The mailto: of List-Unsubscribe (default: the
# From address); how long a confirmation link and a "manage my alerts" link stay good; sign-ups
# allowed per address and per client ("N/second|minute|hour", counted in the shared cache); when
# the worker sends the daily and weekly digests (cron, UTC).
ALERTS_UNSUBSCRIBE_MAILTO = os.environ.get("ALERTS_UNSUBSCRIBE_MAILTO", "")
ALERTS_CONFIRM_DAYS = int(os.environ.get("ALERTS_CONFIRM_DAYS", "7"))
ALERTS_MANAGE_DAYS = int(os.environ.get("ALERTS_MANAGE_DAYS", "60"))
ALERTS_SIGNUP_RATE_PER_ADDRESS = os.environ.get("ALERTS_SIGNUP_RATE_PER_ADDRESS", "3/hour")
ALERTS_SIGNUP_RATE_PER_CLIENT = os.environ.get("ALERTS_SIGNUP_RATE_PER_CLIENT", "20/hour")
ALERTS_DAILY_CRON = os.environ.get("ALERTS_DAILY_CRON", "0 6 * * *")
# How many SMTP connections the worker sends alerts on side by side (each takes a share of the
# alerts); keep it within the worker's concurrency and the mail server's connection limit.
ALERTS_SENDERS = int(os.environ.get("ALERTS_SENDERS", "4"))
ALERTS_WEEKLY_CRON = os.environ.get("ALERTS_WEEKLY_CRON", "0 6 * * 1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
