"""Settings, read from environment variables (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from samtrygg.core import deployment

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key only ever serves a local demo; production sets SECRET_KEY (checked by `check --deploy`).
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-samtrygg-local-demo-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "samtrygg.core",
    "samtrygg.accounts",
    "samtrygg.areas",
    "samtrygg.categories",
    "samtrygg.reports",
    "samtrygg.imports",
    "samtrygg.audit",
    "samtrygg.privacy",
    "samtrygg.actions",
    "samtrygg.weekly",
    "samtrygg.quarterly",
    "samtrygg.cases",
    "samtrygg.walks",
    "samtrygg.demo",
    "samtrygg.api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "samtrygg.open311",
    "samtrygg.opendata",
    "samtrygg.webhooks",
]

MIDDLEWARE = [
    # First: a database that cannot be reached becomes a 503 page, not a traceback (samtrygg.core.unavailable).
    "samtrygg.core.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # With a read replica: per-request routing state, and reads pinned to the primary just after a write.
    # Inside the session middleware, so saving the session after the view does not count as the view's write.
    "samtrygg.core.db_router.ReplicaPinMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request's user is the actor of audit entries written by model signals (samtrygg.audit.context).
    "samtrygg.audit.context.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and absolute session lifetime (after messages: it leaves a note for the login page).
    "samtrygg.accounts.middleware.SessionExpiryMiddleware",
    # request.user.is_verified(); then users who must give a second factor are held at the 2FA pages.
    "django_otp.middleware.OTPMiddleware",
    "samtrygg.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout into the page that says when to try again.
    "axes.middleware.AxesMiddleware",
    # Who may open which page: the permission table (samtrygg.core.permissions); unknown views are refused.
    "samtrygg.core.permissions.PermissionTableMiddleware",
]

ROOT_URLCONF = "samtrygg.urls"
WSGI_APPLICATION = "samtrygg.wsgi.application"

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
                "samtrygg.core.context_processors.samtrygg",
                "samtrygg.accounts.context_processors.security",
            ],
        },
    },
]

# --- Database: SQLite (WAL) in the working directory unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{Path.cwd() / 'samtrygg.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
# A read replica (README, "Scaling out"): reads go to it, writes and everything after a write to default.
_replica = deployment.replica_database(os.environ, DATABASES["default"])
if _replica:
    DATABASES[deployment.REPLICA] = _replica
    DATABASE_ROUTERS = ["samtrygg.core.db_router.PrimaryReplicaRouter"]
# After a write, a user's reads stay on the primary this many seconds (read-your-writes across redirects).
SAMTRYGG_REPLICA_PIN_SECONDS = int(os.environ.get("SAMTRYGG_REPLICA_PIN_SECONDS", 5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis with REDIS_URL (shared by every app server), else per process (README, "Scaling out").
CACHES = deployment.caches(os.environ)

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time: Swedish first, Stockholm time, UTC stored.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", Path.cwd() / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", Path.cwd() / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("SAMTRYGG_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# Uploads: photos are limited in size; an import file may be large (100 000 rows).
SAMTRYGG_MAX_PHOTO_BYTES = int(os.environ.get("SAMTRYGG_MAX_PHOTO_BYTES", 10 * 1024 * 1024))
SAMTRYGG_MAX_IMPORT_BYTES = int(os.environ.get("SAMTRYGG_MAX_IMPORT_BYTES", 100 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Map tiles: empty means no background tiles (area outlines and points on a plain background).
SAMTRYGG_TILE_URL = os.environ.get("SAMTRYGG_TILE_URL", "")
SAMTRYGG_TILE_ATTRIBUTION = os.environ.get("SAMTRYGG_TILE_ATTRIBUTION", "")

# --- The REST API (/api/v1/, see samtrygg/api): partner keys or the browser session (with CSRF), JSON only.
SAMTRYGG_API_MAX_BODY_BYTES = int(os.environ.get("SAMTRYGG_API_MAX_BODY_BYTES", 5 * 1024 * 1024))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "samtrygg.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Who may call which endpoint: the one permission table of samtrygg.core.permissions.
    "DEFAULT_PERMISSION_CLASSES": ["samtrygg.api.permissions.TablePermission"],
    "DEFAULT_PARSER_CLASSES": ["samtrygg.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "samtrygg.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": "format",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Samtrygg API",
    "DESCRIPTION": "Reports, areas, places, categories, the weekly picture and its signals, quarterly analyses, "
                   "actions, place cases and the published safety-walk feedback. A guide with examples is at "
                   "/api/. Authenticate with `Authorization: Bearer <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Only keys are documented; the browser session also works (Swagger UI's "Try it out"), with CSRF.
    "AUTHENTICATION_WHITELIST": ["samtrygg.api.authentication.ApiTokenAuthentication"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "samtrygg.api.schema.postprocess"],
    "ENUM_NAME_OVERRIDES": {},
}

# --- Security (README, "Security")
# Sessions in the database (read through Redis with REDIS_URL): any app server can serve any request.
SESSION_ENGINE = deployment.session_engine(os.environ)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute lifetime of a login; SAMTRYGG_IDLE_TIMEOUT logs out earlier after that long without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SAMTRYGG_IDLE_TIMEOUT = int(os.environ.get("SAMTRYGG_IDLE_TIMEOUT", 30 * 60))
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "samtrygg.accounts.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("SAMTRYGG_HTTPS", not DEBUG and "SECRET_KEY" in os.environ):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _tile_origin(url: str) -> list[str]:
    """The origin of the map tiles, the only other host a page may load from ({s} subdomains as a wildcard)."""
    if not url:
        return []
    parts = urlsplit(url.replace("{s}", "a"))
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return [f"{parts.scheme}://{host}"]


# A strict Content-Security-Policy on every page, the admin's too: nothing inline (no <script> without src,
# no style attributes, no event handler attributes), nothing from another host but the map tiles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origin(SAMTRYGG_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The phone report form uses the position and the camera; nothing else is ever asked for.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": ["self"],
    "microphone": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
    "browsing-topics": [],
}

# Login rate limiting and lockout (django-axes, attempts kept in the database so every app process sees them).
# A lock holds for one username from one address: a wrong password typed from elsewhere never locks a user out
# (anyone could otherwise lock out any user), and one office behind a shared address is not locked out by one
# person's typos. Password spraying from one address over many usernames is stopped by the address-wide limit.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "samtrygg.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("SAMTRYGG_LOGIN_FAILURE_LIMIT", 5))
SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT", 50))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SAMTRYGG_LOCKOUT_MINUTES", 15)))
AXES_RESET_ON_SUCCESS = True
# Keep the time shown on the lockout page true: tries during a lockout don't push its end further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "samtrygg.accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "samtrygg.accounts.lockout.username_for_lockout"
AXES_VERBOSE = False
# Successful logins are in the audit log; axes' own access log would keep every login's address forever.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = True
# Behind reverse proxies the client's address is in X-Forwarded-For; it is read only when the operator says how
# many trusted proxies stand in front (otherwise anyone could send the header and dodge the lockout).
SAMTRYGG_TRUSTED_PROXIES = int(os.environ.get("SAMTRYGG_TRUSTED_PROXIES", 0))
AXES_CLIENT_IP_CALLABLE = "samtrygg.accounts.lockout.client_ip"

# Two-factor authentication (django-otp: TOTP apps and one-time recovery codes). Which roles must use it is
# set by admins on /accounts/security/.
OTP_TOTP_ISSUER = os.environ.get("SAMTRYGG_TOTP_ISSUER", "Samtrygg")
OTP_LOGIN_URL = "accounts:two_factor_verify"

# Single sign-on with OpenID Connect (mozilla-django-oidc), on when SAMTRYGG_OIDC_CLIENT_ID is set; the backend
# and the views do nothing while it is off.
AUTHENTICATION_BACKENDS.append("samtrygg.accounts.oidc.OIDCBackend")
OIDC_RP_CLIENT_ID = os.environ.get("SAMTRYGG_OIDC_CLIENT_ID", "")
SAMTRYGG_OIDC = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = os.environ.get("SAMTRYGG_OIDC_CLIENT_SECRET", "")
SAMTRYGG_OIDC_ISSUER = os.environ.get("SAMTRYGG_OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("SAMTRYGG_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("SAMTRYGG_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("SAMTRYGG_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("SAMTRYGG_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("SAMTRYGG_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("SAMTRYGG_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
SAMTRYGG_OIDC_BUTTON = os.environ.get("SAMTRYGG_OIDC_BUTTON", "")
SAMTRYGG_OIDC_CREATE_USERS = env_bool("SAMTRYGG_OIDC_CREATE_USERS", True)
SAMTRYGG_OIDC_USERNAME_CLAIM = os.environ.get("SAMTRYGG_OIDC_USERNAME_CLAIM", "preferred_username")
SAMTRYGG_OIDC_ORG_CLAIM = os.environ.get("SAMTRYGG_OIDC_ORG_CLAIM", "")
SAMTRYGG_OIDC_ORG_MAP = os.environ.get("SAMTRYGG_OIDC_ORG_MAP", "")
SAMTRYGG_OIDC_DEFAULT_ORG = os.environ.get("SAMTRYGG_OIDC_DEFAULT_ORG", "")
SAMTRYGG_OIDC_ROLE_CLAIM = os.environ.get("SAMTRYGG_OIDC_ROLE_CLAIM", "")
SAMTRYGG_OIDC_ROLE_MAP = os.environ.get("SAMTRYGG_OIDC_ROLE_MAP", "")
SAMTRYGG_OIDC_DEFAULT_ROLE = os.environ.get("SAMTRYGG_OIDC_DEFAULT_ROLE", "")
# "local": Samtrygg's own two-factor rules apply after single sign-on too; "idp": the identity provider is
# trusted to have asked for a second factor.
SAMTRYGG_OIDC_TWO_FACTOR = os.environ.get("SAMTRYGG_OIDC_TWO_FACTOR", "local")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# SMTP (with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend) and the sender of Samtrygg's e-mails.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 30))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Samtrygg <samtrygg@localhost>")
# The address users reach Samtrygg at: links in e-mails are built from it.
SAMTRYGG_BASE_URL = os.environ.get("SAMTRYGG_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Open311, open data and webhooks (README: "Open311", "Open data", "Webhooks")
# Open311 GeoReport v2: reports are shown to the public on a grid of this many metres (SWEREF 99 TM),
# and the list can be switched off (POST and services stay) by a municipality that publishes only aggregates.
SAMTRYGG_OPEN311_GRID_M = int(os.environ.get("SAMTRYGG_OPEN311_GRID_M", 250))
SAMTRYGG_OPEN311_PUBLIC_REQUESTS = env_bool("SAMTRYGG_OPEN311_PUBLIC_REQUESTS", True)
SAMTRYGG_OPEN311_CONTACT = os.environ.get("SAMTRYGG_OPEN311_CONTACT", "")
# Open data: the kind of area counted in the public files, and their license.
SAMTRYGG_OPEN_DATA_AREA_KIND = os.environ.get("SAMTRYGG_OPEN_DATA_AREA_KIND", "district")
SAMTRYGG_OPEN_DATA_LICENSE = os.environ.get("SAMTRYGG_OPEN_DATA_LICENSE", "CC0 1.0")
SAMTRYGG_OPEN_DATA_LICENSE_URL = os.environ.get(
    "SAMTRYGG_OPEN_DATA_LICENSE_URL", "https://creativecommons.org/publicdomain/zero/1.0/deed.sv")
# Webhooks: private, loopback and link-local addresses are refused unless allowed (a receiver on the same
# network as Samtrygg); "thread" tries a delivery right after the commit, "off" leaves it all to the cron job.
SAMTRYGG_WEBHOOK_ALLOW_PRIVATE = env_bool("SAMTRYGG_WEBHOOK_ALLOW_PRIVATE", False)
SAMTRYGG_WEBHOOK_IMMEDIATE = os.environ.get("SAMTRYGG_WEBHOOK_IMMEDIATE", "thread")
SAMTRYGG_WEBHOOK_TIMEOUT = float(os.environ.get("SAMTRYGG_WEBHOOK_TIMEOUT", 10))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
