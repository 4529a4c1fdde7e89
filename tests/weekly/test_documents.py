"""The weekly picture's documents (JSON, XLSX, PDF, HTML) render exactly build_picture's dict."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from samtrygg.weekly import charts, documents
from samtrygg.weekly.picture import build_picture
from tests.weekly.documents_data import ACTION_TITLE, ASSESSMENT, SECRET_TEXT, build_week


@pytest.fixture
def data(db, org):
    return build_week(org)


def without_time(picture: dict) -> dict:
    """The picture minus generated_at (the one value that differs between two builds a moment apart)."""
    out = json.loads(json.dumps(picture))
    assert out.pop("generated_at")
    return out


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_json_is_exactly_the_picture(data):
    user, week = data["coordinator"], data["week"]
    doc = documents.build(user, week, "json", area=data["gottsunda"])
    assert doc.content_type == "application/json"
    assert doc.filename == f"lagesbild-{week}-gottsunda.json"
    assert doc.content.decode("utf-8").startswith('{\n  "week": ')  # indented
    assert without_time(json.loads(doc.content)) == without_time(build_picture(user, week, area=data["gottsunda"]))


def test_json_keeps_swedish_letters(data):
    text = documents.build(data["coordinator"], data["week"], "json").content.decode("utf-8")
    assert ASSESSMENT in text and "\\u00e5" not in text


def test_xlsx_cells_match_the_picture(data):
    user, week = data["coordinator"], data["week"]
    picture = build_picture(user, week)
    wb = load_workbook(io.BytesIO(documents.build(user, week, "xlsx").content))
    assert wb.sheetnames == list(documents.SHEETS)

    overview = wb["Översikt"]
    values = {row[0]: row[1] for row in overview.iter_rows(min_row=2, max_row=13, max_col=2, values_only=True)}
    assert str(week) in values.values()
    assert picture["totals"]["reports"] in values.values()
    assert ASSESSMENT in values.values()
    assert overview["A1"].font.bold and overview.freeze_panes == "A2"
    sentences = [c.value for c in overview["F"] if c.value]
    assert picture["signals"] and sentences[-len(picture["signals"]):] == [s["sentence"] for s in picture["signals"]]

    rows = list(wb["Område × kategori"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(picture["rows"])
    for cells, row in zip(rows, picture["rows"], strict=True):
        assert cells[:7] == (row["area"]["name"], row["category"]["name"], row["count"], row["previous"],
                             row["change"], row["expected"], row["threshold"])
        assert (cells[7] == "SIGNAL") == row["signal"]
    assert any(r["signal"] for r in picture["rows"])
    sheet = wb["Område × kategori"]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert isinstance(sheet["C2"].value, int)  # numbers are numbers, not text

    matrix = list(wb["Veckodag × timme"].iter_rows(min_row=2, values_only=True))
    assert [list(r[1:25]) for r in matrix] == picture["weekday_hour"]["counts"]
    assert [r[25] for r in matrix] == [sum(r) for r in picture["weekday_hour"]["counts"]]
    orgs = list(wb["Aktörer"].iter_rows(min_row=2, values_only=True))
    assert [(o[0], o[1]) for o in orgs] == [(o["name"], o["count"]) for o in picture["organizations"]]
    actions = list(wb["Insatser"].iter_rows(min_row=2, values_only=True))
    assert [a[1] for a in actions] == [ACTION_TITLE]
    notable = list(wb["Noterbara händelser"].iter_rows(min_row=2, values_only=True))
    assert [n[4] for n in notable] == [n["id"] for n in picture["notable"]]


def test_pdf_is_a4_with_the_weeks_content(data):
    user, week = data["coordinator"], data["week"]
    picture = build_picture(user, week)
    doc = documents.build(user, week, "pdf")
    assert doc.content.startswith(b"%PDF") and doc.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(doc.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = pdf_text(doc.content)
    assert str(week) in text
    assert picture["signals"][0]["sentence"] in text
    for name in ("Gottsunda", "Centrum", ASSESSMENT, ACTION_TITLE, "Brand i container"):
        assert name in text
    assert f"1 / {len(reader.pages)}" in text  # page numbers in the margin


def test_pdf_for_one_area_names_it_in_the_header(data):
    doc = documents.build(data["coordinator"], data["week"], "pdf", area=data["centrum"])
    assert doc.filename == f"lagesbild-{data['week']}-centrum.pdf"
    text = pdf_text(doc.content)
    assert "Centrum" in text and "Klotter i Gottsunda" not in text


def test_html_is_standalone_with_inline_images_and_nothing_remote(data):
    doc = documents.build(data["coordinator"], data["week"], "html")
    html = doc.content.decode("utf-8")
    assert "<style>" in html and "@page" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "http://" not in html and "https://" not in html
    assert ACTION_TITLE in html


def test_the_pdf_renderer_refuses_the_network():
    fetcher = documents._no_network()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher("https://example.org/logo.png")
    assert fetcher("data:text/plain;base64,aGVq").read() == b"hej"


def test_sensitive_reports_stay_out_of_the_documents_of_those_who_may_not_see_them(data):
    week = data["week"]
    for user, sees in ((data["viewer"], False), (data["coordinator"], False), (data["police_analyst"], True)):
        assert (SECRET_TEXT in documents.build(user, week, "json").content.decode()) is sees
        assert (SECRET_TEXT in pdf_text(documents.build(user, week, "pdf").content)) is sees
    viewer_points = documents.map_points(data["viewer"], week)
    all_points = documents.map_points(documents.system_user(), week)
    assert len(all_points) == len(viewer_points) + 1


def test_map_zooms_to_the_selected_area_and_draws_points():
    import shapely

    inner = charts.MapArea("Inne", shapely.box(0, 0, 1000, 1000), emphasis=True)
    outer = charts.MapArea("Ute", shapely.box(-50_000, -50_000, 50_000, 50_000))
    svg = charts.week_map([outer, inner], [(500, 500), (600, 400)], focus=[inner.geometry])
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg.count('clip-path="url(#') >= 1
    minx, miny, maxx, maxy = charts._extent([outer, inner], [(500, 500)], [inner.geometry])
    assert (minx, miny, maxx, maxy) == (0, 0, 1000, 1000)


def test_empty_week_renders_every_format(db):
    from samtrygg.weekly.weeks import IsoWeek

    week = IsoWeek.last_complete()
    user = documents.system_user()
    for fmt in documents.FORMATS:
        assert documents.build(user, week, fmt).content
    text = pdf_text(documents.build(user, week, "pdf").content)
    assert "Inga signaler den här veckan" in text and "Ingen bedömning är skriven" in text
