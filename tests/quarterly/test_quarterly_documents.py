"""The quarterly document (JSON, HTML, PDF) from the web and from `samtrygg quarterly`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from samtrygg.audit.models import AuditEntry
from samtrygg.quarterly import documents
from samtrygg.quarterly import ranking_service as rs
from tests.quarterly import data
from tests.quarterly.data import saved_analysis
from tests.weekly.test_documents import pdf_text

# Shared fixtures (tests/quarterly/data.py), assigned rather than imported so their use as parameters reads plainly.
analyst = data.analyst
clear_signal_cache = data.clear_signal_cache
world = data.world
english = data.english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """Commands close every connection when they end; inside a test that would end its transaction."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.fixture
def analysis(world):
    return saved_analysis(world["user"], title="Kvartal med eld", conclusions="Alfa först: brandförebyggande.",
                          weights={"signals": 0.0})


def run(*args) -> str:
    out = io.StringIO()
    call_command("quarterly", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_download_is_the_snapshot(client, analyst, analysis):
    client.force_login(analyst)
    r = client.get(reverse("quarterly:document", args=[analysis.pk, "json"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    doc = json.loads(r.content)
    meta = doc.pop("analysis")
    assert doc == analysis.snapshot
    assert meta["title"] == "Kvartal med eld" and meta["conclusions"].startswith("Alfa först")
    assert meta["saved_by"] == "analytiker"
    assert AuditEntry.objects.filter(action="export", object_id=str(analysis.pk)).exists()


def test_pdf_download_holds_the_ranking_conclusions_and_drawings(client, analyst, analysis):
    client.force_login(analyst)
    r = client.get(reverse("quarterly:document", args=[analysis.pk, "pdf"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert f"kvartalsanalys-{analysis.snapshot['quarter']}-district-{analysis.pk}.pdf" in r["Content-Disposition"]
    text = pdf_text(r.content)
    for name in ("Alfa", "Beta", "Gamma", "Kvartal med eld", "brandförebyggande"):
        assert name in text
    images = documents.drawings(analysis.snapshot)
    assert images["map"].startswith("data:image/svg+xml") and images["chart"].startswith("data:image/svg+xml")


def test_unknown_format_is_404(client, analyst, analysis):
    client.force_login(analyst)
    assert client.get(reverse("quarterly:document", args=[analysis.pk, "xlsx"])).status_code == 404


def test_reporter_cannot_download(client, user_factory, analysis):
    client.force_login(user_factory("reporter", username="rapp"))
    assert client.get(reverse("quarterly:document", args=[analysis.pk, "json"])).status_code == 403


def test_the_document_keeps_the_saved_numbers(client, analyst, analysis, world):
    from samtrygg.reports.services import update_report

    update_report(world["user"], world["reports"]["alfa_fire"], quantity=9)
    client.force_login(analyst)
    doc = json.loads(client.get(reverse("quarterly:document", args=[analysis.pk, "json"])).content)
    assert next(a for a in doc["areas"] if a["code"] == "alfa")["harm"] == 10


def test_command_json_is_computed_live_with_default_weights(world):
    doc = json.loads(run("--quarter", str(world["quarter"]), "--format", "json"))
    assert doc["analysis"] is None
    assert doc["weights"] == rs.DEFAULT_WEIGHTS
    assert [a["code"] for a in doc["areas"]] == ["alfa", "gamma", "beta"]
    live = rs.compute(world["quarter"])
    doc.pop("analysis")
    assert {k: v for k, v in doc.items() if k != "computed_at"} == {
        k: v for k, v in live.items() if k != "computed_at"}
    entry = AuditEntry.objects.filter(action="export", object_type="quarterly").latest("at")
    assert "command line" in entry.summary and entry.actor is None


def test_command_weights_and_kind(world):
    doc = json.loads(run("--quarter", str(world["quarter"]), "--format", "json", "--weight", "signals=0",
                         "--weight", "trend=0", "--weight", "year=0"))
    assert [a["code"] for a in doc["areas"]] == ["alfa", "beta", "gamma"]
    doc = json.loads(run("--quarter", str(world["quarter"]), "--format", "json", "--kind", "municipality"))
    assert [a["code"] for a in doc["areas"]] == ["kommun"]


def test_command_saved_uses_the_latest_saved_snapshot(world, analysis):
    doc = json.loads(run("--quarter", str(world["quarter"]), "--format", "json", "--saved"))
    assert doc.pop("analysis")["id"] == analysis.pk
    assert doc == analysis.snapshot


def test_command_html_and_pdf_files(world, tmp_path):
    html = run("--quarter", str(world["quarter"]), "--format", "html")
    assert "<style>" in html and "Alfa" in html and "data:image/svg+xml" in html
    out = tmp_path / "q.pdf"
    run("--quarter", str(world["quarter"]), "--format", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF") and "Gamma" in pdf_text(out.read_bytes())


@pytest.mark.parametrize(("args", "message"), [
    (["--quarter", "2026-Q9", "--format", "json"], "--quarter: '2026-Q9' is not a quarter"),
    (["--quarter", "2099-Q1", "--format", "json"], "has not started yet"),
    (["--quarter", "2025-Q1", "--format", "xlsx"], "--format: unknown format"),
    (["--quarter", "2025-Q1", "--format", "json", "--kind", "deso"], "--kind: no active areas"),
    (["--quarter", "2025-Q1", "--format", "json", "--weight", "harm=-1"], "--weight: harm"),
    (["--quarter", "2025-Q1", "--format", "json", "--weight", "colour=1"], "--weight 'colour=1'"),
    (["--quarter", "2025-Q1", "--format", "json", "--saved"], "--saved: no saved analysis"),
])
def test_command_bad_input(world, args, message):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert message in str(exc.value)


def test_empty_quarter_document(world):
    snapshot = rs.compute(world["quarter"].shift(-12))
    html = documents.build(snapshot, "html").content.decode()
    assert "nothing to rank" in html
    assert documents.build(snapshot, "pdf").content.startswith(b"%PDF")
