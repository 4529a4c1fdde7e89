"""The Swedish catalogue is complete and the compiled .mo is the current .po (both are committed, since a
deployment needs no gettext tools). Refresh both with `bash scripts/update-translations`."""

from pathlib import Path

import polib

import samtrygg

LOCALE = Path(samtrygg.__file__).parent / "locale" / "sv" / "LC_MESSAGES"


def _key(entry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def test_every_message_has_a_swedish_translation_and_none_is_fuzzy():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated messages: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy (guessed) translations to check: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    po = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.pofile(str(LOCALE / "django.po"))
          if not e.obsolete and e.msgid}
    mo = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(LOCALE / "django.mo")) if e.msgid}
    missing = sorted(set(po) - set(mo))
    assert not missing, f"not compiled into django.mo (run scripts/update-translations): {missing[:10]}"
    stale = [k for k in po if po[k] != mo[k]]
    assert not stale, f"django.mo is older than django.po for: {stale[:10]}"
