"""Backing up and restoring the whole installation: every table and every uploaded file, exactly.

A backup is one ``.tar.gz``:

- ``manifest.json``: format version, time, database vendor, the applied migrations, for every table its row
  count and the SHA-256 of its data file, and for every media file its size and SHA-256;
- ``data/<app>.<model>.jsonl``: every row of every table (Django's JSON-lines serialiser, one object a line),
  many-to-many link tables included as tables of their own, primary keys kept;
- ``media/…``: every file under ``MEDIA_ROOT``.

Why Django's serialiser and not ``pg_dump``/``.backup``: one format for SQLite and PostgreSQL, so a backup moves
between them. Why not ``dumpdata``/``loaddata`` as they are: their JSON encoder cuts times to milliseconds, and
the audit log's hash covers microseconds; here times are written in full (:class:`ExactEncoder`), and rows are
read through the base manager (soft-deleted reports too) in primary-key order.

Restoring checks every checksum and the migrations first, refuses a database holding data unless told to
wipe it, then replaces every table in ONE transaction (foreign keys are checked at commit), so a restore that
fails leaves the database as it was. Media files are unpacked to a temporary folder first and moved into
place only after the database committed. Rows are inserted as stored, without signals (the audit chain is
restored byte for byte, so ``audit-verify`` passes), and one "restore" audit entry is appended afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
BATCH = 2000
# Rows every freshly migrated database has: they do not make a database "not empty".
SEEDED = {"contenttypes.contenttype", "auth.permission", "categories.category"}


class BackupError(Exception):
    """Something is wrong with a backup file or the database it should go into; the message says what."""


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds (the audit chain's hash covers them)."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def models_in_order() -> list:
    """Every model with a table (link tables of many-to-many fields included), dependencies first."""
    concrete = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    by_app: dict = {}
    for m in concrete:
        by_app.setdefault(m._meta.app_config, []).append(m)
    ordered = serializers.sort_dependencies(by_app.items(), allow_cycles=True)
    links = [m for m in apps.get_models(include_auto_created=True)
             if m._meta.auto_created and m._meta.managed and m not in ordered]
    return ordered + links


def _label(model) -> str:
    return model._meta.label_lower


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    counts: dict = field(default_factory=dict)


def backup(target: Path) -> Summary:
    """Write the backup file (atomically: to a temporary name, renamed when complete)."""
    target = Path(target)
    media_root = Path(settings.MEDIA_ROOT)
    summary = Summary()
    manifest = {"format": FORMAT, "created": timezone.now().isoformat(), "vendor": connection.vendor,
                "migrations": applied_migrations(), "tables": [], "media": []}
    with tempfile.TemporaryDirectory(prefix="samtrygg-backup-") as tmp:
        tmp_dir = Path(tmp)
        (tmp_dir / "data").mkdir()
        # One transaction: on PostgreSQL a REPEATABLE READ snapshot makes every table agree with the others.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for model in models_in_order():
                name = f"data/{_label(model)}.jsonl"
                path = tmp_dir / name
                queryset = model._base_manager.order_by("pk")
                count = 0
                with open(path, "w", encoding="utf-8") as out:
                    last = None
                    while True:  # keyset pages: each query starts after the last key, never with an OFFSET
                        page = queryset if last is None else queryset.filter(pk__gt=last)
                        chunk = list(page[:BATCH])
                        if not chunk:
                            break
                        serializers.serialize("jsonl", chunk, stream=out, cls=ExactEncoder)
                        count += len(chunk)
                        last = chunk[-1].pk
                manifest["tables"].append({"model": _label(model), "file": name, "rows": count,
                                           "sha256": _sha256(path)})
                summary.counts[_label(model)] = count
                summary.rows += count
        summary.tables = len(manifest["tables"])
        for path in media_files(media_root):
            rel = path.relative_to(media_root).as_posix()
            manifest["media"].append({"path": rel, "size": path.stat().st_size, "sha256": _sha256(path)})
        summary.files = len(manifest["media"])
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for table in manifest["tables"]:
                tar.add(tmp_dir / table["file"], arcname=table["file"])
            for item in manifest["media"]:
                tar.add(media_root / item["path"], arcname=f"media/{item['path']}")
        os.replace(partial, target)
    from samtrygg.audit import log

    log.record(None, "export", object_type="backup", object_id=target.name[:50],
               summary=f"backup of {summary.rows} rows and {summary.files} files")
    return summary


# ---------------------------------------------------------------------------------------------- restore

def _unpack(source: Path, into: Path) -> dict:
    """Unpack the file into a folder, refusing paths outside it; returns the checked manifest."""
    try:
        with tarfile.open(source, "r:gz") as tar:
            tar.extractall(into, filter="data")
    except FileNotFoundError as exc:
        raise BackupError(f"{source}: no such file") from exc
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{source}: not a readable Samtrygg backup (.tar.gz): {exc}") from exc
    try:
        manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source}: manifest.json is missing or not JSON") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.get('format')!r}, this version reads {FORMAT}")
    for table in manifest["tables"]:
        path = into / table["file"]
        if not path.is_file() or _sha256(path) != table["sha256"]:
            raise BackupError(f"{source}: {table['file']} is missing or damaged (checksum differs)")
    for item in manifest["media"]:
        path = into / "media" / item["path"]
        if not path.is_file() or _sha256(path) != item["sha256"]:
            raise BackupError(f"{source}: media/{item['path']} is missing or damaged (checksum differs)")
    return manifest


def holds_data() -> list[str]:
    """Tables with rows beyond what a freshly migrated database has."""
    return [_label(m) for m in models_in_order()
            if _label(m) not in SEEDED and m._base_manager.exists()]


def _check_migrations(manifest: dict) -> None:
    here, there = set(applied_migrations()), set(manifest["migrations"])
    if here != there:
        newer = sorted(there - here)
        older = sorted(here - there)
        hint = ("the backup is from a newer version: install it and run `samtrygg migrate` first" if newer else
                "the backup is from an older version: restore it with that version, then upgrade")
        raise BackupError(f"the database's migrations differ from the backup's ({hint}); "
                          f"only in the backup: {newer[:5]}, only here: {older[:5]}")


def _wipe_tables() -> None:
    """Empty every table of the project (not the migration records). DELETE rather than TRUNCATE: it is
    transactional on both databases, and foreign keys are checked at commit, so the order does not matter."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")


def _insert(model, objects: list) -> None:
    """Insert rows exactly as stored: a raw insert, so auto_now/auto_now_add times and the like are kept
    (``bulk_create`` would stamp them anew; ``loaddata`` saves row by row, twice as many queries). Uses the
    queryset's ``_insert``, which is what ``bulk_create`` and ``Model.save(raw=True)`` call underneath."""
    fields = list(model._meta.concrete_fields)
    size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
    for start in range(0, len(objects), size):
        model._base_manager.all()._insert(objects[start:start + size], fields=fields, raw=True)


def _load(folder: Path, manifest: dict) -> int:
    known = {_label(m): m for m in models_in_order()}
    total = 0
    for table in manifest["tables"]:
        model = known.get(table["model"])
        if model is None:
            raise BackupError(f"the backup has a table this version does not know: {table['model']}")
        with open(folder / table["file"], encoding="utf-8") as handle:
            batch = []
            for item in serializers.deserialize("jsonl", handle, ignorenonexistent=False,
                                                handle_forward_references=False):
                batch.append(item.object)
                if len(batch) >= BATCH:
                    _insert(model, batch)
                    total += len(batch)
                    batch = []
            if batch:
                _insert(model, batch)
                total += len(batch)
    return total


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models_in_order())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _swap_media(unpacked: Path, root: Path) -> None:
    """Put the backup's files in place of MEDIA_ROOT's: the old folder is moved aside, then removed."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".restore-", dir=root.parent))
    shutil.rmtree(staged)
    if unpacked.is_dir():
        shutil.copytree(unpacked, staged)
    else:
        staged.mkdir()
    old = None
    if root.exists():
        old = root.with_name(root.name + f".before-restore-{os.getpid()}")
        os.replace(root, old)
    os.replace(staged, root)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def restore(source: Path, *, wipe: bool = False, actor=None) -> Summary:
    from samtrygg.audit import log
    from samtrygg.audit.context import suppress_signals

    source = Path(source)
    with tempfile.TemporaryDirectory(prefix="samtrygg-restore-") as tmp:
        folder = Path(tmp)
        manifest = _unpack(source, folder)
        _check_migrations(manifest)
        if not wipe:
            filled = holds_data()
            if filled:
                raise BackupError("the database is not empty (it has rows in " + ", ".join(filled[:6])
                                  + (", …" if len(filled) > 6 else "") + "); restore with --wipe to replace "
                                  "everything in it with the backup")
        with suppress_signals(), transaction.atomic():
            _wipe_tables()
            rows = _load(folder, manifest)
            _reset_sequences()
            connection.check_constraints()
        _swap_media(folder / "media", Path(settings.MEDIA_ROOT))
    summary = Summary(tables=len(manifest["tables"]), rows=rows, files=len(manifest["media"]),
                      counts={t["model"]: t["rows"] for t in manifest["tables"]})
    log.record(actor, "restore", object_type="backup", object_id=source.name[:50],
               summary=f"restored {summary.rows} rows and {summary.files} files from a backup made "
                       f"{manifest['created']}")
    return summary
