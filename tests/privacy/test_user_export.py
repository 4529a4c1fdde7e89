"""Everything stored about a user as a ZIP of JSON, without secrets; audited; command and admin page."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from samtrygg.api import tokens
from samtrygg.audit.models import AuditEntry
from tests.factories import make_report


def _read(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {name: json.loads(z.read(name)) for name in z.namelist()}


@pytest.mark.django_db
def test_admin_downloads_everything_about_a_user(client, admin_user, reporter):
    report = make_report(reporter, description="Min text")
    tokens.create_token(reporter, organization=reporter.organization, role="reporter", name="mitt system")
    client.force_login(admin_user)
    assert client.get(reverse("privacy:export_user")).status_code == 200
    response = client.post(reverse("privacy:export_user"), {"user": reporter.pk})
    assert response["Content-Type"] == "application/zip"
    files = _read(response.content)
    assert files["account.json"][0]["username"] == "rapportor"
    assert "password" not in files["account.json"][0]
    assert [r["id"] for r in files["reports.report.by_created_by.json"]] == [report.pk]
    assert any(e["object_id"] == str(report.pk) for e in files["audit.auditentry.by_actor.json"])
    keys = [k for k in files if k.startswith("api.apitoken.")]
    assert keys and all(row["key_hash"] == "•••" for k in keys for row in files[k])
    assert "index.json" in files
    assert AuditEntry.objects.filter(action="export", object_type="accounts.user", object_id=str(reporter.pk),
                                     actor=admin_user).exists()
    assert client.post(reverse("privacy:export_user"), {"user": "9999"}).status_code == 400


@pytest.mark.django_db
def test_export_user_command(reporter, tmp_path, capsys):
    target = tmp_path / "out.zip"
    call_command("export_user", "rapportor", "-o", str(target))
    assert _read(target.read_bytes())["account.json"][0]["username"] == "rapportor"
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("export_user", "nobody")


@pytest.mark.django_db
def test_register_shows_retention_from_the_categories(client, admin_user):
    from samtrygg.categories.models import Category

    Category.objects.filter(code="klotter").update(retain_text_months=18)
    client.force_login(admin_user)
    page = client.get(reverse("privacy:register")).content.decode()
    assert "18 månader" in page and "Registerförteckning" in page
