"""`samtrygg import-reports` and `import-police-events`: output, exit status, --dry-run, --valid-only."""

import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samtrygg.cli import command_name
from samtrygg.imports.models import ImportBatch
from samtrygg.reports.models import Report

from .helpers import csv_bytes, police_bytes, police_event, row

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes([row(external_id="1"), row(external_id="2")]))
    return str(path)


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(external_id="1"), row(category="nope"), row(occurred_at="igår")]))
    return str(path)


def test_imports_and_prints_summary(area, org, good_file):
    out, err = run("import_reports", good_file, "--org", "kommunen")
    assert "created 2, updated 0, unchanged 0, skipped 0" in out
    assert err == ""
    assert Report.objects.count() == 2
    batch = ImportBatch.objects.get()
    assert batch.status == "imported" and batch.created_count == 2 and batch.created_by is None
    out, _err = run("import_reports", good_file, "--org", "kommunen")
    assert "created 0, updated 0, unchanged 2" in out
    assert Report.objects.count() == 2


def test_bad_rows_are_printed_and_nothing_imported(area, org, bad_file):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 bad row.*nothing imported.*--valid-only"):
        call_command("import_reports", bad_file, "--org", "kommunen", stdout=out, stderr=err)
    assert "rad 3: okänd kategori ”nope”" in err.getvalue()
    assert "rad 4: ”igår” är inte datum och tid enligt ISO 8601" in err.getvalue()
    assert Report.objects.count() == 0
    assert not ImportBatch.objects.exists()


def test_valid_only(area, org, bad_file):
    out, err = run("import_reports", bad_file, "--org", "kommunen", "--valid-only")
    assert "rad 3:" in err
    assert "created 1, updated 0, unchanged 0, skipped 2" in out
    assert Report.objects.count() == 1


def test_dry_run_writes_nothing(area, org, good_file, bad_file):
    out, _err = run("import_reports", good_file, "--org", "kommunen", "--dry-run")
    assert "2 would be created, 0 would be updated" in out
    assert Report.objects.count() == 0 and not ImportBatch.objects.exists()
    with pytest.raises(CommandError):
        run("import_reports", bad_file, "--org", "kommunen", "--dry-run")


@pytest.mark.parametrize(("args", "message"), [
    (["/nonexistent.csv", "--org", "kommunen"], "no such file"),
    (["GOOD", "--org", "ghost"], "unknown organisation 'ghost'; known codes: kommunen"),
    (["GOOD"], "--org CODE.*known codes: kommunen"),
    (["GOOD", "--org", "kommunen", "--crs", "EPSG:999999"], "unknown coordinate reference system"),
])
def test_bad_flags_and_files_give_a_clear_error(area, org, good_file, args, message):
    args = [good_file if a == "GOOD" else a for a in args]
    with pytest.raises(CommandError, match=message):
        run("import_reports", *args)


def test_organization_column_replaces_org_flag(area, org, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes([row(organization="kommunen")]))
    out, _err = run("import_reports", str(path))
    assert "created 1" in out


def test_latin1_file_is_a_clear_error(area, org, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("occurred_at,category,lat,lon\n2025-05-01,Skadegörelse,59.8,17.6\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin.csv: Filen är inte i UTF-8 \(rad 2\)"):
        run("import_reports", str(path), "--org", "kommunen")


def test_police_events_command(area, police_org, tmp_path):
    path = tmp_path / "events.json"
    path.write_bytes(police_bytes([police_event(1), police_event(2, type_="Trafikolycka"),
                                   police_event(3, gps="55.6,13.0")]))
    out, err = run("import_police_events", str(path))
    assert "created 1" in out and "skipped 2" in out
    assert "typen importeras inte: Trafikolycka" in out and "utanför alla områden" in out
    assert Report.objects.get().organization == police_org


def test_hyphenated_command_names():
    assert command_name(["import-reports", "x.csv"]) == ["import_reports", "x.csv"]
    assert command_name(["import-police-events"]) == ["import_police_events"]
    assert command_name(["no-such-command"]) == ["no-such-command"]
    assert command_name(["--help"]) == ["--help"]


def test_exit_status_of_the_real_command(tmp_path):
    """The installed entry point: hyphenated name, non-zero status and no traceback on a bad file."""
    env_db = f"sqlite:///{tmp_path}/cli.sqlite3"
    bad = tmp_path / "x.csv"
    bad.write_text("nothing useful\n")
    code = "import sys; from samtrygg.cli import main; main(sys.argv[1:])"

    def samtrygg(*args):
        return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              env={"DATABASE_URL": env_db, "PATH": "/usr/bin:/bin"}, cwd=tmp_path)

    assert samtrygg("migrate", "-v0").returncode == 0
    proc = samtrygg("import-reports", str(bad), "--org", "x")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "unknown organisation 'x'" in proc.stderr
