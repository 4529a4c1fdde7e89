"""An import killed halfway leaves nothing behind: `samtrygg import-reports` is SIGKILLed while it writes
(detected in the database: its write transaction is open), then no report, no area link, no batch and no audit
entry of it exist, and running it again imports every row once. And a web import that dies in the middle of
writing rolls back completely, leaving the batch waiting for a decision as before."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from samtrygg.audit.models import AuditEntry
from samtrygg.imports import importer
from samtrygg.imports.models import ImportBatch
from samtrygg.reports.models import Report, ReportArea
from tests.core.test_serve import samtrygg
from tests.imports.helpers import csv_bytes, row

ROWS = 20_000  # big enough that writing takes over a second on SQLite and PostgreSQL alike


def _big_file(path: Path) -> Path:
    rows = [row(external_id=f"k-{i}", occurred_at=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:15",
                description=f"rad {i}") for i in range(ROWS)]
    path.write_bytes(csv_bytes(rows))
    return path


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["DATABASE_URL"] = database_url
    return env


def _kill_while_writing(cmd: list[str], env: dict, cwd: Path, writing) -> None:
    """Start the import and SIGKILL it once `writing()` says its write transaction is open (and a moment
    later, so rows are being written); fail when it finished before."""
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not writing():
            assert process.poll() is None, f"the import ended before it was killed: {process.stderr.read()!r}"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
        time.sleep(0.3)
        assert process.poll() is None, "the import finished before it could be killed; make the file bigger"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def _rerun_imports_everything_once(cmd, env, cwd, count) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"created {ROWS}, updated 0, unchanged 0" in done.stdout
    assert count() == (ROWS, ROWS, 1)


# ---- SQLite: a database file of its own, written by the subprocess --------------------------------------

@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file of its own; PostgreSQL: below")
def test_sqlite_import_killed_halfway_leaves_nothing(tmp_path):
    db = tmp_path / "import.sqlite3"
    env = _env(f"sqlite:///{db}")
    subprocess.run(samtrygg("migrate", "-v0"), cwd=tmp_path, env=env, check=True, timeout=180)
    subprocess.run(samtrygg("shell", "-c", (
        "import shapely; from samtrygg.accounts.models import Organization; from samtrygg.areas.models import Area;"
        "Organization.objects.create(code='parker', name='Parkenheten');"
        "a = Area(code='centrum', name='Centrum', kind='district'); "
        "a.set_geometry(shapely.box(646800, 6637600, 648800, 6639600)); a.save()")),
        cwd=tmp_path, env=env, check=True, timeout=120)
    cmd = samtrygg("import-reports", str(_big_file(tmp_path / "big.csv")), "--org", "parker")

    def writing() -> bool:
        """The import holds SQLite's write lock: another writer cannot begin."""
        probe = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return True
        finally:
            probe.close()

    def count() -> tuple[int, int, int]:
        with sqlite3.connect(db) as c:
            return tuple(c.execute(sql).fetchone()[0] for sql in (
                "SELECT count(*) FROM reports_report", "SELECT count(*) FROM reports_reportarea",
                "SELECT count(*) FROM imports_importbatch"))

    _kill_while_writing(cmd, env, tmp_path, writing)
    assert count() == (0, 0, 0)
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM audit_auditentry WHERE action = 'import'").fetchone()[0] == 0
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _rerun_imports_everything_once(cmd, env, tmp_path, count)


# ---- PostgreSQL: the test database, written by the subprocess ----------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL; SQLite: above")
def test_postgresql_import_killed_halfway_leaves_nothing(tmp_path, org, area):
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    app = f"samtrygg-killed-import-{os.getpid()}"
    env = _env(f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
               f"?application_name={app}")
    cmd = samtrygg("import-reports", str(_big_file(tmp_path / "big.csv")), "--org", org.code)

    def writing() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                           "AND backend_xid IS NOT NULL", [app])
            return cursor.fetchone()[0] > 0

    def count() -> tuple[int, int, int]:
        return Report.objects.count(), ReportArea.objects.count(), ImportBatch.objects.count()

    _kill_while_writing(cmd, env, tmp_path, writing)
    # PostgreSQL notices the dead client and rolls its transaction back; wait for the backend to go.
    deadline = time.monotonic() + 30
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app])
            if cursor.fetchone()[0] == 0:
                break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert count() == (0, 0, 0)
    assert not AuditEntry.objects.filter(action="import").exists()
    _rerun_imports_everything_once(cmd, env, tmp_path, count)


# ---- the web import: an exception in the middle of writing --------------------------------------------------

@pytest.mark.django_db
def test_web_import_that_dies_midway_rolls_back(client, area, reporter, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 10)
    client.force_login(reporter)
    data = csv_bytes([row(external_id=f"w-{i}") for i in range(35)])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("w.csv", data, "text/csv"),
                                                       "kind": "reports", "crs": "EPSG:3006"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.VALIDATED

    real_chunk, calls = importer._import_chunk, []

    def dies_on_the_third_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the worker died")
        return real_chunk(*args, **kwargs)

    with mock.patch.object(importer, "_import_chunk", dies_on_the_third_chunk), pytest.raises(RuntimeError):
        client.post(reverse("imports:decide", args=[batch.pk]), {"action": "all"})
    assert len(calls) == 3  # two chunks (20 reports) were written before it died
    assert Report.objects.count() == 0 and ReportArea.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.created_count == 0  # still waiting
    assert not AuditEntry.objects.filter(action="import").exists()

    response = client.post(reverse("imports:decide", args=[batch.pk]), {"action": "all"})
    assert response.status_code == 302
    assert Report.objects.count() == 35 and ReportArea.objects.count() == 35
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.created_count == 35
