"""Security headers and the strict Content-Security-Policy on every page, CSRF on every POST endpoint, and
`samtrygg check --deploy` clean under production settings.

Pages are enumerated like tests/core/test_permissions.py does (same table, same test data), so a new page is
checked here the moment it gets its permission row.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from samtrygg.core.permissions import RULES
from tests.core import test_permissions as perms

world = perms.world  # the same users, reports, cases… as the permission matrix

# Prefixes whose endpoints authenticate with a token, not the session cookie, and so are exempt from CSRF
# (a browser never sends the token by itself). Each must say why; everything else must refuse a POST without the
# CSRF token. Filled in when the API is merged.
CSRF_EXEMPT_PREFIXES: dict[str, str] = {
    "/api/": "REST API, token authentication only (Authorization header)",
    "/open311/": "Open311 GeoReport v2, API key authentication",
}


def _client_for(name: str, world, client: Client, method: str = "GET") -> tuple[Client, str]:
    allowed = RULES[name].roles_for(method) or RULES[name].roles_for(sorted(RULES[name].methods)[0])
    if "anonymous" in allowed:
        return client, "anonymous"
    role = "admin" if "admin" in allowed else sorted(allowed)[0]
    client.force_login(world["users"][role])
    return client, role


class InlineCodeFinder(HTMLParser):
    """Everything a strict CSP refuses in markup: <script> without src (JSON data blocks are not run and are
    allowed), <style> elements, style="…" attributes, on… event handler attributes and javascript: links."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> element at line {self.getpos()[0]}")
        for attr, value in attrs:
            if attr == "style":
                self.problems.append(f"style attribute on <{tag}> at line {self.getpos()[0]}")
            elif attr.startswith("on"):
                self.problems.append(f"{attr} attribute on <{tag}> at line {self.getpos()[0]}")
            elif attr in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_finds_what_the_csp_refuses():
    html = ('<p style="color:red" onclick="x()">a</p><script>alert(1)</script><script src="/a.js"></script>'
            '<script type="application/json" id="d">{}</script><style>p{}</style><a href="javascript:x()">b</a>')
    assert len(inline_code(html)) == 5


def assert_security_headers(response, where: str):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], f"{where}: CSP {csp!r}"
    assert directives.get("script-src") == ["'self'"], f"{where}: CSP {csp!r}"
    assert directives.get("style-src") == ["'self'"], f"{where}: CSP {csp!r}"
    assert directives.get("object-src") == ["'none'"], f"{where}: CSP {csp!r}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{where}: CSP {csp!r}"
    assert directives.get("form-action") == ["'self'"] and directives.get("base-uri") == ["'self'"], where
    assert "unsafe" not in csp, f"{where}: CSP {csp!r}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    policy = response.headers.get("Permissions-Policy", "")
    assert "microphone=()" in policy and "geolocation=(self)" in policy and "camera=(self)" in policy, where


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_page_has_the_headers_and_no_inline_code(client, world, name):
    kind = perms.CALLS[name]
    client, role = _client_for(name, world, client)
    url = reverse(name, kwargs=perms._kwargs(kind, world, "own"))
    response = client.get(url)
    where = f"{name} ({url}) as {role}: {response.status_code}"
    assert response.status_code < 500, where
    assert_security_headers(response, where)
    if "text/html" in response.headers.get("Content-Type", "") and not response.streaming:
        problems = inline_code(response.content.decode())
        assert not problems, f"{where}: {problems}"


@pytest.mark.parametrize("path", ["/finns-inte/", "/reports/999999/"])
def test_error_pages_have_the_headers_too(client, world, path):
    client.force_login(world["users"]["viewer"])
    response = client.get(path)
    assert response.status_code == 404
    assert_security_headers(response, path)
    assert not inline_code(response.content.decode())


def _admin_pages() -> list[str]:
    pages = ["admin:index"]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages += [f"admin:{info[0]}_{info[1]}_changelist", f"admin:{info[0]}_{info[1]}_add"]
    return pages


@pytest.mark.parametrize("name", _admin_pages())
def test_the_admin_has_the_same_policy_and_no_inline_code(client, world, name):
    client.force_login(world["users"]["admin"])
    response = client.get(reverse(name))
    assert response.status_code in (200, 403), name  # 403: models whose admin adds nothing (audit log)
    assert_security_headers(response, name)
    assert not inline_code(response.content.decode()), f"{name}: {inline_code(response.content.decode())}"


def test_admin_change_page_of_a_user_has_no_inline_code(client, world):
    client.force_login(world["users"]["admin"])
    response = client.get(reverse("admin:accounts_user_change", args=[world["users"]["viewer"].pk]))
    assert response.status_code == 200
    assert not inline_code(response.content.decode())


# ---- CSRF ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(name for name, rule in RULES.items() if "POST" in rule.methods))
def test_every_post_without_csrf_token_is_refused(world, name):
    kind = perms.CALLS[name]
    client = Client(enforce_csrf_checks=True)
    client, role = _client_for(name, world, client, "POST")
    url = reverse(name, kwargs=perms._kwargs(kind, world, "own"))
    exempt = [prefix for prefix in CSRF_EXEMPT_PREFIXES if url.startswith(prefix)]
    response = client.post(url, {"x": "1"})
    if exempt:
        assert response.status_code != 200 or "csrf" not in response.content.decode().lower()
        return
    assert response.status_code == 403, f"{name} ({url}) as {role}: POST without CSRF token gave {response.status_code}"
    assert "accounts/csrf_failure.html" in [t.name for t in response.templates], name


def test_csrf_failure_page_is_translated_and_clean():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "Formuläret kunde inte skickas" in text or "The form could not be sent" in text
    assert not inline_code(text)


def test_csrf_exempt_prefixes_are_documented():
    for prefix, reason in CSRF_EXEMPT_PREFIXES.items():
        assert prefix.startswith("/") and prefix.endswith("/") and len(reason) > 20


# ---- check --deploy --------------------------------------------------------------------------------------------

def _samtrygg() -> str:
    return str(Path(sys.executable).with_name("samtrygg"))


@pytest.mark.parametrize("with_sso", [False, True])
def test_check_deploy_is_clean_under_production_settings(tmp_path, with_sso):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMTRYGG_", "DJANGO_"))}
    env.update({
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "samtrygg.kommun.se",
        "CSRF_TRUSTED_ORIGINS": "https://samtrygg.kommun.se",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "samtrygg.settings",
    })
    if with_sso:
        env.update({
            "SAMTRYGG_OIDC_CLIENT_ID": "samtrygg", "SAMTRYGG_OIDC_CLIENT_SECRET": "s3cret",
            "SAMTRYGG_OIDC_ISSUER": "https://login.kommun.se",
            "SAMTRYGG_OIDC_AUTHORIZATION_ENDPOINT": "https://login.kommun.se/authorize",
            "SAMTRYGG_OIDC_TOKEN_ENDPOINT": "https://login.kommun.se/token",
            "SAMTRYGG_OIDC_USERINFO_ENDPOINT": "https://login.kommun.se/userinfo",
            "SAMTRYGG_OIDC_JWKS_ENDPOINT": "https://login.kommun.se/jwks",
        })
    result = subprocess.run([_samtrygg(), "check", "--deploy", "--fail-level", "DEBUG"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_check_deploy_does_warn_without_production_settings(tmp_path):
    """The check itself works: with the demo key and no HTTPS it finds problems."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SAMTRYGG_HTTPS")}
    env.update({"DEBUG": "false", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"})
    result = subprocess.run([_samtrygg(), "check", "--deploy", "--fail-level", "WARNING"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr  # the demo SECRET_KEY
