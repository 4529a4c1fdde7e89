"""The web flow: upload → preview with every bad row → decide once; permissions; browser (phone, desktop)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samtrygg.imports.models import ImportBatch
from samtrygg.reports.models import Report
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import OrganizationFactory, UserFactory

from .helpers import csv_bytes, police_bytes, police_event, row

URL = "/imports/"


def upload(client, data: bytes, name="reports.csv", **extra):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), "kind": "reports", "crs": "EPSG:3006",
                             **extra})


@pytest.fixture
def bad_csv():
    return csv_bytes([row(external_id="1"), row(category="nope"), row(external_id="3"),
                      row(occurred_at="2999-01-01T00:00")])


@pytest.mark.django_db
def test_upload_preview_and_import_valid_rows_once(client, area, reporter, bad_csv):
    client.force_login(reporter)
    response = upload(client, bad_csv)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{batch.pk}/"
    page = client.get(response.url).content.decode()
    assert "okänd kategori ”nope”" in page and "ligger i framtiden" in page
    assert re.search(r'<td class="numeric">3</td><td>okänd kategori', page)
    assert re.search(r'value="all"[^>]*disabled', page)
    assert Report.objects.count() == 0

    client.post(f"/imports/{batch.pk}/decide/", {"action": "valid"})
    assert Report.objects.count() == 2
    response = client.post(f"/imports/{batch.pk}/decide/", {"action": "valid"}, follow=True)
    assert Report.objects.count() == 2  # posting the decision twice does not import twice
    assert "redan hanterad" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.created_count == 2 and batch.created_by == reporter


@pytest.mark.django_db
def test_import_all_is_refused_when_there_are_errors(client, area, reporter, bad_csv):
    client.force_login(reporter)
    upload(client, bad_csv)
    batch = ImportBatch.objects.get()
    response = client.post(f"/imports/{batch.pk}/decide/", {"action": "all"}, follow=True)
    assert Report.objects.count() == 0
    assert "Ingenting importerades" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "validated"


@pytest.mark.django_db
def test_cancel(client, area, reporter):
    client.force_login(reporter)
    upload(client, csv_bytes([row()]))
    batch = ImportBatch.objects.get()
    client.post(f"/imports/{batch.pk}/decide/", {"action": "cancel"})
    batch.refresh_from_db()
    assert batch.status == "cancelled" and Report.objects.count() == 0
    client.post(f"/imports/{batch.pk}/decide/", {"action": "all"})
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "message"), [
    ("r.pdf", b"%PDF-1.4", "är inte en fil av den här typen"),
    ("r.csv", "occurred_at;category\n2025-01-01;Skadegörelse\n".encode("latin-1"), "är inte i UTF-8 (rad 2)"),
    ("r.csv", b"occurred_at,lat,lon\n2025-01-01,1,2\n", "Kolumner saknas i filen: “category”"),
    ("r.xlsx", b"not a workbook", "ingen Excel-arbetsbok"),
])
def test_bad_files_get_a_message_on_the_form(client, area, reporter, name, data, message):
    client.force_login(reporter)
    response = upload(client, data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_oversized_file(client, area, reporter, settings):
    settings.SAMTRYGG_MAX_IMPORT_BYTES = 100
    client.force_login(reporter)
    response = upload(client, csv_bytes([row()] * 5))
    assert "den största fil som kan importeras är 100" in response.content.decode()


@pytest.mark.django_db
def test_bad_crs(client, area, reporter):
    client.force_login(reporter)
    response = upload(client, csv_bytes([row()]), crs="EPSG:999999")
    assert response.status_code == 200 and "är inget koordinatsystem som vi känner till" in response.content.decode()


@pytest.mark.django_db
def test_viewer_may_not_import_and_others_batches_are_hidden(client, area, org, reporter):
    viewer = UserFactory(role="viewer", organization=org)
    client.force_login(viewer)
    assert client.get(URL).status_code == 403
    client.force_login(reporter)
    upload(client, csv_bytes([row()]))
    batch = ImportBatch.objects.get()
    other = UserFactory(role="reporter", organization=org)
    client.force_login(other)
    assert client.get(f"/imports/{batch.pk}/").status_code == 404
    assert client.post(f"/imports/{batch.pk}/decide/", {"action": "all"}).status_code == 404
    assert client.get(f"/imports/{batch.pk}/errors.csv").status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302


@pytest.mark.django_db
def test_admin_imports_for_another_organisation(client, area, org, admin_user):
    other = OrganizationFactory(code="bostad", name="Bostadsbolaget")
    client.force_login(admin_user)
    upload(client, csv_bytes([row()]), organization=other.pk)
    batch = ImportBatch.objects.get()
    client.post(f"/imports/{batch.pk}/decide/", {"action": "all"})
    assert Report.objects.get().organization == other


@pytest.mark.django_db
def test_errors_csv_and_template(client, area, reporter, bad_csv):
    client.force_login(reporter)
    upload(client, bad_csv)
    batch = ImportBatch.objects.get()
    text = client.get(f"/imports/{batch.pk}/errors.csv").content.decode()
    assert text.splitlines()[1:] == ["3,okänd kategori ”nope”",
                                     "5,occurred_at 2999-01-01T00:00 ligger i framtiden"]
    template = client.get("/imports/template.csv")
    assert template["Content-Disposition"].startswith("attachment")
    # the example file itself imports cleanly
    response = upload(client, template.content, name="template.csv")
    example = ImportBatch.objects.order_by("-pk").first()
    assert response.status_code == 302 and example.errors == [] and example.valid_rows == 2


@pytest.mark.django_db
def test_thousands_of_errors_are_paginated(client, area, reporter):
    client.force_login(reporter)
    upload(client, csv_bytes([row(category="nope")] * 450))
    batch = ImportBatch.objects.get()
    page1 = client.get(f"/imports/{batch.pk}/").content.decode()
    assert page1.count("okänd kategori") == 200 and "Sida 1 av 3" in page1
    page3 = client.get(f"/imports/{batch.pk}/?page=3").content.decode()
    assert page3.count("okänd kategori") == 50 and '<td class="numeric">451</td>' in page3


@pytest.mark.django_db
def test_police_upload(client, area, police_org):
    analyst = UserFactory(role="analyst", organization=police_org)
    client.force_login(analyst)
    response = client.post(URL, {"file": SimpleUploadedFile("events.json", police_bytes(
        [police_event(1), police_event(2, type_="Trafikolycka")])), "kind": "police", "crs": "EPSG:3006"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.kind == "police" and batch.valid_rows == 1
    client.post(f"/imports/{batch.pk}/decide/", {"action": "all"})
    assert Report.objects.get().source == "police_feed"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_upload_with_errors_in_browser(request, page_fixture, live_server, area, reporter, tmp_path):
    page = request.getfixturevalue(page_fixture)
    path = tmp_path / "rapporter.csv"
    path.write_bytes(csv_bytes([
        row(external_id="A-1", description="Klotter på väggen", quantity="3"),
        row(external_id="A-2", category="enhörningar"),
        row(external_id="A-3", lat="59.0", lon="10.0"),
        row(external_id="A-4", description="Ring 070-123 45 67"),
    ]))
    login(page, live_server, reporter)
    page.goto(f"{live_server.url}/imports/")
    assert_accessible(page, context="upload page")
    screenshot(page, f"imports-upload-{page_fixture}")
    page.set_input_files("#id_file", str(path))
    page.click("button[type=submit]:has-text('Check'), button[type=submit]:has-text('Kontrollera')")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    body = page.locator("main").inner_text()
    assert "enhörningar" in body and "utanför alla områden" in body
    cells = page.locator(".import-errors tbody tr td:first-child").all_inner_texts()
    assert cells == ["3", "4"]
    assert page.locator("button[value=all]").is_disabled()
    assert_accessible(page, context="preview page")
    screenshot(page, f"imports-preview-{page_fixture}")
    page.click("button[value=valid]")
    page.wait_for_selector(".import-result")
    assert Report.objects.count() == 2
    assert_accessible(page, context="result page")
    screenshot(page, f"imports-result-{page_fixture}")
    assert_no_js_errors(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bad_file_message_in_browser(desktop_page, live_server, area, reporter, tmp_path):
    page = desktop_page
    path = tmp_path / "latin.csv"
    path.write_bytes("occurred_at;category\n2025-01-01;Skadegörelse\n".encode("latin-1"))
    login(page, live_server, reporter)
    page.goto(f"{live_server.url}/imports/")
    page.set_input_files("#id_file", str(path))
    page.click(".import-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert "UTF-8" in page.locator("#id_file_error").inner_text()
    assert "id_file_error" in page.get_attribute("#id_file", "aria-describedby")
    assert_accessible(page, context="upload page with error")
    screenshot(page, "imports-upload-error-desktop_page")
