"""Shared parsing and output for the `weekly` and `signals` commands (their options are a contract for
scripts and cron jobs: see DESIGN.md, "Command line")."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import CommandError

from samtrygg.weekly.weeks import IsoWeek, WeekError


def parse_week(text: str, option: str) -> IsoWeek:
    try:
        week = IsoWeek.parse(text)
    except WeekError as exc:
        raise CommandError(f"{option}: {exc}") from None
    if week.is_future():
        raise CommandError(f"{option}: {week} is in the future (the current week is {IsoWeek.last_complete().next()})")
    return week


def write_output(command, content: bytes | str, output: str | None, *, binary: bool, what: str) -> None:
    """Write to ``output`` atomically (a temporary file renamed into place, so a failed run never leaves
    half a file), or to standard output. Binary formats go to standard output only when it is not a
    terminal (a PDF on a terminal is garbage), e.g. ``samtrygg weekly ... --format pdf > x.pdf``."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output and output != "-":
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"-o {output}: is a directory; give a file name")
        if not path.parent.exists():
            raise CommandError(f"-o {output}: the directory {path.parent} does not exist")
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise CommandError(f"-o {output}: cannot write: {exc.strerror or exc}") from None
        command.stderr.write(f"Wrote {what} to {path} ({len(data):,} bytes).")
        return
    out = command.stdout
    if binary:
        if out.isatty():
            raise CommandError(f"{what} is a binary file: give -o FILE, or redirect standard output to a file")
        raw = getattr(out._out, "buffer", None)
        if raw is None:  # a text stream (e.g. in tests): cannot carry bytes
            raise CommandError(f"{what} is a binary file: give -o FILE")
        raw.write(data)
        raw.flush()
        return
    out.write(data.decode("utf-8"), ending="" if data.endswith(b"\n") else "\n")
    if out._out is sys.stdout:
        sys.stdout.flush()
