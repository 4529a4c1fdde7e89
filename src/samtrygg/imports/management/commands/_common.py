"""What `import-reports` and `import-police-events` share: reading the file, printing, importing."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from samtrygg.accounts.models import Organization
from samtrygg.imports import importer, parsing, services
from samtrygg.imports.models import ImportBatch
from samtrygg.imports.validation import unit_word


def organization_or_error(code: str | None, *, required: bool) -> Organization | None:
    codes = ", ".join(Organization.objects.filter(is_active=True).values_list("code", flat=True)) or "—"
    if code:
        org = Organization.objects.filter(code__iexact=code, is_active=True).first()
        if org is None:
            raise CommandError(f"unknown organisation {code!r}; known codes: {codes}")
        return org
    if required:
        raise CommandError(f"say which organisation the reports are from with --org CODE "
                           f"(or an 'organization' column); known codes: {codes}")
    return None


def read_file(path: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None


def run(command, *, path: str, kind: str, org: Organization | None, crs: str, dry_run: bool,
        valid_only: bool) -> None:
    data = read_file(path)
    name = Path(path).name
    try:
        v = services.check_file(data, name, kind=kind, crs=crs, organization=org, user=None)
    except parsing.FileProblem as exc:
        raise CommandError(f"{path}: {exc}") from None
    except ValueError as exc:  # unknown CRS
        raise CommandError(str(exc)) from None
    unit = unit_word(v.unit)
    for line, reason in v.errors:
        command.stderr.write(f"{unit} {line}: {reason}")
    for line, reason in v.warnings:
        command.stderr.write(f"{unit} {line}: warning: {reason}")
    for reason, count in sorted(v.skipped.items()):
        command.stdout.write(f"skipped {count}: {reason}")
    if v.errors and not valid_only:
        raise CommandError(f"{len(v.errors)} bad row(s) of {v.total}; nothing imported. "
                           f"Fix the file, or import the {v.valid} valid row(s) with --valid-only.")
    if dry_run:
        existing = importer.existing_count(v)
        command.stdout.write(f"dry run: {v.valid - existing} would be created, {existing} would be updated "
                             f"or left unchanged, {len(v.errors) + v.skipped_total} skipped; nothing written")
        return
    batch = ImportBatch(organization=org or _first_org(v), kind=kind, original_name=name[:255], crs=crs)
    services.fill_batch(batch, v)
    from tqdm import tqdm

    bar = tqdm(total=v.valid, unit="rows", disable=not _is_terminal(command), file=sys.stdout)
    try:
        source = "police_feed" if kind == ImportBatch.Kind.POLICE else "import"
        # The batch row is written in the import's transaction: an import killed halfway (even by SIGKILL,
        # when no except clause runs) leaves neither reports nor a batch waiting for a decision behind.
        with transaction.atomic():
            batch.save()
            outcome = importer.import_validated(v, actor=None, source=source, batch=batch, progress=bar.update,
                                                summary=f"{name} (command line)")
    finally:
        bar.close()
    command.stdout.write(
        f"created {outcome.created}, updated {outcome.updated}, unchanged {outcome.unchanged}, "
        f"skipped {outcome.skipped}" + (f" ({outcome.deleted_matched} matched deleted reports, kept deleted)"
                                        if outcome.deleted_matched else "")
    )


def _first_org(v) -> Organization:
    return Organization.objects.get(pk=v.organization_ids[0]) if v.organization_ids else \
        Organization.objects.order_by("pk").first()


def _is_terminal(command) -> bool:
    try:
        return command.stdout.isatty()
    except (AttributeError, ValueError):
        return False
