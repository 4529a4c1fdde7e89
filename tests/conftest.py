"""Shared fixtures. Browser fixtures drive Debian's headless Chromium through Playwright."""

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.factories import PASSWORD, AreaFactory, OrganizationFactory, UserFactory

# Property-based tests (hypothesis): bounded so the suite stays fast. "ci" (CI=true) is derandomised, so a run
# is repeatable, and keeps no example database; "dev" remembers failing examples in .hypothesis/ and replays
# them first. HYPOTHESIS_PROFILE=thorough runs many more examples, by hand.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=40, **_COMMON)
settings.register_profile("ci", max_examples=40, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run next to
# one unless told this is deliberate. Only the tests do this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The second database run (`make test-postgres`, SAMTRYGG_TESTS_DATABASE_ONLY=1) runs the tests whose outcome the
# database can change. Left out, and listed as "deselected" in its summary: tests that touch no database at all
# (the pure analysis core, parsers; the SQLite run has just run them on the same code) and the headless-Chromium
# tests (they check pages, scripts and accessibility; every view they drive is also exercised on PostgreSQL by
# the view tests). This keeps `make test` well inside its time budget.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SAMTRYGG_TESTS_DATABASE_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        uses_database = bool(names & DATABASE_FIXTURES) or item.get_closest_marker("django_db") is not None
        params = getattr(getattr(item, "callspec", None), "params", {})
        in_browser = ("browser" in names or "browser" in item.path.name  # pages fetched by getfixturevalue
                      or any(str(value).endswith("_page") for value in params.values()))
        (keep if uses_database and not in_browser else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


SCREENSHOTS = Path(
    os.environ.get("SAMTRYGG_SCREENSHOTS", Path(__file__).parent.parent / "build" / "screenshots"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Swedish). A request with another language (LocaleMiddleware)
    or a call to translation.activate() leaves it active in the thread, and the next test would see it."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is slow by design; tests that don't test hashing use a fast hasher (argon2 still verifies).
    Mark a test `@pytest.mark.real_password_hashing` to keep the production setting."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _default_categories(request):
    """Transactional tests (browser tests) empty every table afterwards, the migration-seeded
    categories too; put the default taxonomy back for every test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    wants_tx = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames or "live_server" in request.fixturenames)
    if marker is None and not wants_tx and "db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if wants_tx else "db")
    from samtrygg.categories.defaults import ensure_default_categories

    ensure_default_categories()


@pytest.fixture
def org(db):
    return OrganizationFactory(code="kommunen", name="Kommunen")


@pytest.fixture
def police_org(db):
    return OrganizationFactory(code="polisen", name="Polisen", kind="police", sees_sensitive=True)


@pytest.fixture
def area(db):
    return AreaFactory(code="centrum", name="Centrum")


@pytest.fixture
def user_factory(db, org):
    def make(role="reporter", organization=None, **kwargs):
        return UserFactory(role=role, organization=organization or org, **kwargs)

    return make


@pytest.fixture
def reporter(user_factory):
    return user_factory("reporter", username="rapportor")


@pytest.fixture
def coordinator(user_factory):
    return user_factory("coordinator", username="samordnare")


@pytest.fixture
def admin_user(user_factory):
    return user_factory("admin", username="admin")


# ---- browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/install-system-deps (make test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


def _page(browser, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="sv-SE", timezone_id="Europe/Stockholm", **extra)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return context, page


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, live_server):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


def login(page, live_server, user, password=PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, *, context: str = ""):
    """Run axe-core (WCAG 2.1 A/AA rules) in the page and fail with every violation listed."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )
    assert not violations, f"axe-core found accessibility violations {context}:\n{details}"


def assert_no_js_errors(page):
    assert not page.js_errors, f"JavaScript errors on {page.url}: {page.js_errors}"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached results (signals, the ranking's signal weeks) must not leak from one test's data to another's:
    on SQLite a rolled-back test's ids are used again, so a cache key's fingerprint can repeat."""
    from django.core.cache import cache

    cache.clear()
    yield
