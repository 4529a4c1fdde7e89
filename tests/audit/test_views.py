"""The audit log page: filters, pages, CSV/XLSX export (itself audited), the chain check."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samtrygg.audit import log
from samtrygg.audit.models import AuditEntry


@pytest.fixture
def entries(admin_user, coordinator):
    for i in range(60):
        log.record(coordinator if i % 2 else admin_user, "update" if i % 3 else "create",
                   object_type="reports.report" if i % 2 else "actions.action", object_id=str(i),
                   summary=f"=thing {i}")


@pytest.mark.django_db
def test_admin_filters_and_pages_through_the_log(client, admin_user, coordinator, entries):
    client.force_login(admin_user)
    page = client.get(reverse("audit:log"))
    assert page.status_code == 200
    assert page.context["page"].paginator.num_pages >= 2
    filtered = client.get(reverse("audit:log"), {"user": coordinator.pk, "action": "create",
                                                 "object_type": "reports.report"})
    got = list(filtered.context["page"].object_list)
    assert got and all(e.actor == coordinator and e.action == "create" and e.object_type == "reports.report"
                       for e in got)
    assert len(got) == 10


@pytest.mark.django_db
def test_a_bad_date_range_is_explained_not_a_500(client, admin_user, entries):
    client.force_login(admin_user)
    response = client.get(reverse("audit:log"), {"start": "2026-05-02", "end": "2026-05-01"})
    assert response.status_code == 200
    assert "end" in response.context["form"].errors
    response = client.get(reverse("audit:log"), {"start": "igår"})
    assert response.status_code == 200 and "start" in response.context["form"].errors


@pytest.mark.django_db
def test_csv_export_is_filtered_safe_and_audited(client, admin_user, coordinator, entries):
    client.force_login(admin_user)
    response = client.get(reverse("audit:export", kwargs={"fmt": "csv"}), {"user": coordinator.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 30 and {r["user"] for r in rows} == {"samordnare"}
    assert all(r["summary"].startswith("'=") for r in rows)  # no formula in a spreadsheet
    export = AuditEntry.objects.filter(action="export", object_type="audit.auditentry").get()
    assert export.actor == admin_user and export.changes == {"filters": {"user": str(coordinator.pk)}}


@pytest.mark.django_db
def test_xlsx_export(client, admin_user, entries):
    client.force_login(admin_user)
    response = client.get(reverse("audit:export", kwargs={"fmt": "xlsx"}), {"action": "create"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("id", "at", "user", "action")
    assert len(rows) - 1 == AuditEntry.objects.filter(action="create").count()
    assert client.get(reverse("audit:export", kwargs={"fmt": "pdf"})).status_code == 404


@pytest.mark.django_db
def test_the_chain_check_page_says_intact_or_broken(client, admin_user, entries):
    client.force_login(admin_user)
    response = client.get(reverse("audit:verify"))
    assert response.context["verdict"].ok
    victim = AuditEntry.objects.order_by("id")[5]
    AuditEntry.objects.filter(pk=victim.pk).update(summary="rewritten")
    response = client.get(reverse("audit:verify"))
    assert not response.context["verdict"].ok and response.context["verdict"].broken_id == victim.pk
    assert f"{victim.pk}" in response.content.decode()
