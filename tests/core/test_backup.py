"""Backup → wipe → restore → compare: every table row by row and every uploaded file byte by byte, on the
configured database (the suite runs on SQLite and PostgreSQL). A failing restore changes nothing."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from samtrygg.audit import chain
from samtrygg.audit.models import AuditEntry
from samtrygg.core import backup
from tests.core import backup_data


def tables() -> dict[str, list[dict]]:
    out = {}
    for model in backup.models_in_order():
        rows = []
        for row in model._base_manager.order_by("pk").values():
            rows.append({k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()})
        out[model._meta.label_lower] = rows
    return out


def media() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in backup.media_files(root)}


@pytest.fixture
def filled(db):
    backup_data.fill()
    empty = [label for label, rows in tables().items() if not rows]
    assert empty == [], f"the test data leaves tables empty: {empty}"


@pytest.mark.django_db
def test_backup_wipe_restore_round_trips_every_row_and_file_exactly(filled, tmp_path, capsys):
    before, files = tables(), media()
    assert len(files) >= 3
    last_entry = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    target = tmp_path / "samtrygg.tar.gz"
    call_command("backup", str(target))
    assert "rows in" in capsys.readouterr().out

    with pytest.raises(CommandError, match="not empty.*--wipe"):
        call_command("restore", str(target))

    with transaction.atomic():
        backup._wipe_tables()
    for path in backup.media_files(Path(settings.MEDIA_ROOT)):
        path.unlink()
    assert not media() and not AuditEntry.objects.exists()

    call_command("restore", str(target))
    after = tables()
    restore_entry = AuditEntry.objects.get(id__gt=last_entry)
    assert restore_entry.action == "restore"
    after["audit.auditentry"] = [r for r in after["audit.auditentry"] if r["id"] <= last_entry]
    for label in before:
        assert after[label] == before[label], f"{label} differs after restore"
    assert media() == files
    assert chain.verify().ok


@pytest.mark.django_db
def test_a_failing_restore_leaves_the_database_and_files_as_they_were(filled, tmp_path, monkeypatch):
    target = tmp_path / "b.tar.gz"
    backup.backup(target)
    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("id").first().pk).update(summary="changed since")
    before, files = tables(), media()

    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr(backup, "_reset_sequences", broken)
    with pytest.raises(RuntimeError):
        backup.restore(target, wipe=True)
    assert tables() == before
    assert media() == files


@pytest.mark.django_db
def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path):
    target = tmp_path / "b.tar.gz"
    backup.backup(target)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(target) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "data/categories.category.jsonl":
                data = data.replace(b"Klotter", b"Klottr")
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="categories.category.jsonl is missing or damaged"):
        call_command("restore", str(damaged), "--wipe")
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "nothing.tar.gz"))
    (tmp_path / "text.tar.gz").write_text("hello")
    with pytest.raises(CommandError, match="not a readable Samtrygg backup"):
        call_command("restore", str(tmp_path / "text.tar.gz"))


@pytest.mark.django_db
def test_a_backup_from_another_version_is_refused_with_the_reason(tmp_path, monkeypatch):
    target = tmp_path / "b.tar.gz"
    backup.backup(target)
    real = backup.applied_migrations()
    monkeypatch.setattr(backup, "applied_migrations", lambda: [m for m in real if m != "audit.0003_hash_existing"])
    with pytest.raises(CommandError, match="newer version.*audit.0003_hash_existing"):
        call_command("restore", str(target), "--wipe")
