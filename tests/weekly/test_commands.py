"""`samtrygg weekly` and `samtrygg signals`: outputs, options and errors (a contract for cron jobs)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from samtrygg.cli import main
from samtrygg.weekly import documents
from samtrygg.weekly.picture import build_picture
from samtrygg.weekly.weeks import IsoWeek
from tests.weekly.documents_data import SECRET_TEXT, build_week
from tests.weekly.test_documents import pdf_text, without_time

CONTRACT = ["week", "area", "category", "count", "expected", "threshold", "score"]


@pytest.fixture
def data(db, org):
    return build_week(org)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """Django closes every connection when a command run from the command line ends; inside a test
    that would close the test's transaction (on PostgreSQL), so keep it open."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """The installed entry point as cron runs it: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
        raise SystemExit(0)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


# ---- samtrygg weekly -----------------------------------------------------------------------------

def test_weekly_json_to_stdout_is_the_picture_for_a_system_reader(data):
    week = data["week"]
    out = run("weekly", "--week", str(week), "--format", "json")
    expected = build_picture(documents.system_user(), week)
    assert without_time(json.loads(out)) == without_time(expected)
    assert SECRET_TEXT in out  # the CLI sees everything, sensitive reports too


def test_weekly_for_an_area_to_files(data, tmp_path):
    week = data["week"]
    pdf, xlsx, html = tmp_path / "v.pdf", tmp_path / "v.xlsx", tmp_path / "v.html"
    run("weekly", "--week", str(week), "--area", "gottsunda", "--format", "pdf", "-o", str(pdf))
    run("weekly", "--week", str(week), "--area", "gottsunda", "--format", "xlsx", "-o", str(xlsx))
    run("weekly", "--week", str(week), "--area", "gottsunda", "--format", "html", "-o", str(html))
    text = pdf_text(pdf.read_bytes())
    assert pdf.read_bytes().startswith(b"%PDF") and str(week) in text and "Gottsunda" in text
    assert "Klotter i Gottsunda: 14" in text
    assert load_workbook(xlsx).sheetnames == list(documents.SHEETS)
    assert "<style>" in html.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind


def test_weekly_binary_to_a_pipe_and_refused_on_a_terminal(data):
    week = str(data["week"])
    pipe = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("weekly", "--week", week, "--format", "xlsx", stdout=pipe)
    assert pipe.buffer.getvalue().startswith(b"PK")  # a zip: the XLSX went out as bytes

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    with pytest.raises(CommandError, match="binary file: give -o FILE"):
        call_command("weekly", "--week", week, "--format", "pdf", stdout=Terminal())


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2026-W54", "--format", "json"], "2026 has no week 54"),
    (["--week", "47", "--format", "json"], "is not a week"),
    (["--week", "2999-W01", "--format", "json"], "in the future"),
    (["--week", "LAST", "--area", "atlantis", "--format", "json"], "no area has the code 'atlantis'"),
    (["--week", "LAST", "--format", "docx"], "unknown format 'docx'"),
])
def test_weekly_bad_input(data, capsys, args, message):
    args = [str(data["week"]) if a == "LAST" else a for a in args]
    code, out, err = run_cli(capsys, "weekly", *args)
    assert code == 1
    assert message in err and "Traceback" not in err
    assert out == ""


def test_weekly_exit_code_zero_and_audit(data, capsys):
    from samtrygg.audit.models import AuditEntry

    code, out, _ = run_cli(capsys, "weekly", "--week", str(data["week"]), "--format", "json")
    assert code == 0 and json.loads(out)["week"] == str(data["week"])
    entry = AuditEntry.objects.get(action="export", object_type="weekly")
    assert entry.actor is None and "command line" in entry.summary


def test_weekly_refuses_a_directory_as_output(data, tmp_path):
    with pytest.raises(CommandError, match="is a directory"):
        run("weekly", "--week", str(data["week"]), "--format", "json", "-o", str(tmp_path))


# ---- samtrygg signals ----------------------------------------------------------------------------

def test_signals_csv_columns_and_rows(data):
    week = data["week"]
    out = run("signals", "--from", str(week.shift(-3)), "--to", str(week))
    reader = csv.reader(io.StringIO(out))
    header = next(reader)
    assert header[:7] == CONTRACT
    assert header[7:11] == ["status", "method", "trigger", "explanation"]
    rows = [dict(zip(header, r, strict=True)) for r in reader]
    outbreak = [r for r in rows if r["week"] == str(week) and r["area"] == "gottsunda" and r["category"] == "klotter"]
    assert len(outbreak) == 1
    assert outbreak[0]["count"] == "14" and float(outbreak[0]["expected"]) < 3 and int(outbreak[0]["threshold"]) < 14
    assert float(outbreak[0]["score"]) > 1 and outbreak[0]["status"] == "alarm"
    assert all(r["status"] == "alarm" for r in rows)  # signals only, not every series


def test_signals_json_has_the_same_keys(data, tmp_path):
    week = data["week"]
    target = tmp_path / "s.json"
    run("signals", "--from", str(week), "--to", str(week), "--format", "json", "-o", str(target))
    records = json.loads(target.read_text(encoding="utf-8"))
    csv_header = run("signals", "--from", str(week), "--to", str(week)).splitlines()[0].split(",")
    assert records and all(list(r) == csv_header for r in records)
    assert {(r["area"], r["category"], r["count"]) for r in records} >= {("gottsunda", "klotter", 14)}
    assert isinstance(records[0]["expected"], float) and isinstance(records[0]["count"], int)


def test_signals_for_a_quiet_range_is_only_the_header(data):
    week = data["week"].shift(-10)
    assert run("signals", "--from", str(week), "--to", str(week)).strip() == ",".join(
        CONTRACT + ["status", "method", "trigger", "explanation", "area_name", "category_name"])


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-W54", "--to", "2026-W01"], "--from: 2026 has no week 54"),
    (["--from", "2026-W10", "--to", "2026-W02"], "--from 2026-W10 is after --to 2026-W02"),
    (["--from", "2026-W01", "--to", "2999-W01"], "--to: 2999-W01 is in the future"),
    (["--from", "2026-W01", "--to", "2026-W02", "--format", "xml"], "unknown format 'xml'"),
    (["--from", "last week", "--to", "2026-W02"], "is not a week"),
])
def test_signals_bad_input(db, capsys, args, message):
    code, out, err = run_cli(capsys, "signals", *args)
    assert code == 1 and message in err and "Traceback" not in err and out == ""


def test_signals_exit_code_zero(data, capsys):
    week = str(IsoWeek.last_complete())
    code, out, err = run_cli(capsys, "signals", "--from", week, "--to", week)
    assert code == 0 and out.startswith(",".join(CONTRACT))
