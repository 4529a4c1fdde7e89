"""Downloading the weekly picture from the web: /weekly/<week>/document.<fmt>."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samtrygg.audit.models import AuditEntry
from samtrygg.weekly.picture import build_picture
from tests.weekly.documents_data import SECRET_TEXT, build_week
from tests.weekly.test_documents import without_time


@pytest.fixture
def data(db, org):
    return build_week(org)


def url(week, fmt, **params):
    from urllib.parse import urlencode

    base = reverse("weekly:document", kwargs={"week": str(week), "fmt": fmt})
    return f"{base}?{urlencode(params, doseq=True)}" if params else base


def test_json_download_is_the_users_picture_with_the_pages_filters(client, data):
    from samtrygg.categories.models import Category

    klotter = Category.objects.get(code="klotter")
    client.force_login(data["viewer"])
    response = client.get(url(data["week"], "json", area="gottsunda", category=klotter.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'filename="lagesbild-{data["week"]}-gottsunda.json"' in response["Content-Disposition"]
    expected = build_picture(data["viewer"], data["week"], area=data["gottsunda"], categories=[klotter])
    assert without_time(json.loads(response.content)) == without_time(expected)
    assert [c["code"] for c in expected["filters"]["categories"]] == ["klotter"]


def test_downloads_are_audited(client, data):
    client.force_login(data["coordinator"])
    response = client.get(url(data["week"], "xlsx", area="centrum"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="lagesbild-{data["week"]}-centrum.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Översikt"
    entry = AuditEntry.objects.get(action="export", object_type="weekly")
    assert entry.actor == data["coordinator"] and entry.object_id == str(data["week"])
    assert "xlsx" in entry.summary and "centrum" in entry.summary


def test_pdf_download(client, data):
    client.force_login(data["viewer"])
    response = client.get(url(data["week"], "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="lagesbild-{data["week"]}.pdf"'


def test_viewer_document_hides_sensitive_reports_the_police_analyst_sees_them(client, data):
    client.force_login(data["viewer"])
    assert SECRET_TEXT.encode() not in client.get(url(data["week"], "json")).content
    client.force_login(data["police_analyst"])
    assert SECRET_TEXT.encode() in client.get(url(data["week"], "json")).content


def test_anonymous_is_sent_to_login(client, data):
    response = client.get(url(data["week"], "pdf"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize(("week", "fmt", "params", "status", "message"), [
    ("2026-W54", "json", {}, 400, "2026 har ingen vecka 54"),
    ("vecka-47", "json", {}, 400, "”vecka-47” är ingen vecka"),
    ("2999-W01", "json", {}, 400, "2999-W01 ligger i framtiden"),
    (None, "docx", {}, 404, ""),
    (None, "json", {"area": "atlantis"}, 400, "atlantis"),
    (None, "json", {"category": "x"}, 400, "category"),
    (None, "json", {"category": "999999"}, 400, "category"),
    (None, "json", {"organization": "999999"}, 400, "organi"),
])
def test_bad_input_gets_a_clear_message(client, data, week, fmt, params, status, message):
    client.force_login(data["viewer"])
    response = client.get(url(week or data["week"], fmt, **params))
    assert response.status_code == status
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()
