"""Creating and changing place cases, their journal, cause analysis, hypotheses and measures. Every change
is written to the audit log in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from samtrygg.actions import services as action_services
from samtrygg.actions.models import Action, ActionPhoto
from samtrygg.audit import log
from samtrygg.core import locking

from . import checklist
from .models import CauseAnalysis, Hypothesis, JournalEntry, PlaceCase

CASE_FIELDS = ("title", "place", "problem", "status", "opened_on", "follow_up_on", "closed_on",
               "intervention_on", "control_area", "buffer_m", "coordinator")
ANALYSIS_FIELDS = ("offenders", "targets", "place_features", "handlers", "guardians", "managers", "conclusions")

#: The status path, in order. A case moves one step forward or back at a time.
STATUS_PATH = [s.value for s in PlaceCase.Status]


class StatusError(ValueError):
    pass


def snapshot(case: PlaceCase) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in CASE_FIELDS:
        value = getattr(case, name)
        out[name] = None if value is None else (value if isinstance(value, (str, int)) else str(value))
    out["drawn_area"] = "yes" if case.geometry_sweref else None
    return out


def next_status(status: str) -> str | None:
    i = STATUS_PATH.index(status)
    return STATUS_PATH[i + 1] if i + 1 < len(STATUS_PATH) else None


def previous_status(status: str) -> str | None:
    i = STATUS_PATH.index(status)
    return STATUS_PATH[i - 1] if i > 0 else None


def _apply(case: PlaceCase, fields: dict) -> None:
    for name, value in fields.items():
        setattr(case, name, value)


@transaction.atomic
def create_case(user, partners=None, **fields) -> PlaceCase:
    case = PlaceCase(created_by=user if getattr(user, "is_authenticated", False) else None)
    _apply(case, fields)
    if not case.opened_on:
        case.opened_on = timezone.localdate()
    case.full_clean()
    case.save()
    CauseAnalysis.objects.get_or_create(case=case)
    log.record(user, "create", case, summary=case.title, changes=log.diff({}, snapshot(case)))
    if partners is not None:
        save_partners(user, case, partners)
    return case


@transaction.atomic
def update_case(user, case: PlaceCase, partners=None, version: int | None = None, **fields) -> dict:
    """Apply the form's fields and partners. With ``version`` (the one the form was loaded at) a change saved
    by someone else in between raises :class:`samtrygg.core.locking.EditConflict` and nothing is written."""
    before = snapshot(case)
    _apply(case, fields)
    if case.follow_up_on != PlaceCase.objects.filter(pk=case.pk).values_list("follow_up_on", flat=True).first():
        case.follow_up_reminder_sent_at = None  # a new follow-up date gets its own reminder
    changes = log.diff(before, snapshot(case))
    if changes or (partners is not None and partners.has_changed()):
        locking.claim(case, version)
    else:
        locking.check(case, version)
    if changes:
        case.full_clean()
        case.save()
        log.record(user, "update", case, summary=case.title, changes=changes)
    if partners is not None:
        partner_changes = save_partners(user, case, partners)
        if partner_changes:
            changes = {**changes, "partners": partner_changes}
    return changes


def save_partners(user, case: PlaceCase, formset) -> list | None:
    """Save a bound, valid partner formset; log what changed. Returns the change or None."""
    before = sorted(str(p) for p in case.partners.select_related("organization"))
    formset.instance = case
    formset.save()
    after = sorted(str(p) for p in case.partners.select_related("organization"))
    partners = [f"{p.organization.name}: {p.role}" for p in case.partners.select_related("organization")]
    if before != after or any(f.has_changed() for f in formset.forms):
        log.record(user, "update", case, summary=f"{case.title}: partners",
                   changes={"partners": [None, "; ".join(partners)]})
        return partners
    return None


@transaction.atomic
def move_status(user, case: PlaceCase, target: str) -> PlaceCase:
    """Move the case one step along the status path (forward or back)."""
    if target not in (next_status(case.status), previous_status(case.status)):
        raise StatusError(target)
    before = snapshot(case)
    case.status = target
    if target == PlaceCase.Status.CLOSED:
        case.closed_on = timezone.localdate()
    elif case.closed_on:
        case.closed_on = None
    case.save()
    log.record(user, "update", case, summary=f"{case.title}: status", changes=log.diff(before, snapshot(case)))
    return case


@transaction.atomic
def add_journal_entry(user, case: PlaceCase, **fields) -> JournalEntry:
    entry = JournalEntry(case=case, created_by=user if getattr(user, "is_authenticated", False) else None,
                         **fields)
    entry.full_clean()
    entry.save()
    log.record(user, "create", entry, summary=f"{case.title}: {entry.get_kind_display()}",
               changes={"case": [None, case.pk], "happened_on": [None, str(entry.happened_on)],
                        "kind": [None, entry.kind], "text": [None, entry.text]})
    return entry


def analysis_for(case: PlaceCase) -> CauseAnalysis:
    return CauseAnalysis.objects.get_or_create(case=case)[0]


def _analysis_snapshot(analysis: CauseAnalysis) -> dict:
    out = {name: getattr(analysis, name) for name in ANALYSIS_FIELDS}
    for code, item in checklist.normalise(analysis.checklist).items():
        out[f"checklist.{code}"] = f"{item['status']}: {item['note']}".rstrip(": ")
    return out


def _hypotheses_snapshot(case: PlaceCase) -> dict:
    return {f"hypothesis {h.pk}": f"[{h.verdict}] {h.text} | {h.evidence} | {h.data_link}"
            for h in Hypothesis.objects.filter(case=case).order_by("pk")}


@transaction.atomic
def save_analysis(user, case: PlaceCase, analysis: CauseAnalysis, fields: dict, checklist_data: dict,
                  hypotheses_formset, version: int | None = None) -> dict:
    """Save the analysis fields, the checklist and the hypotheses; one audit entry with every change. With
    ``version`` a save by someone else since the form was loaded raises
    :class:`samtrygg.core.locking.EditConflict` and nothing is written."""
    stored = CauseAnalysis.objects.filter(pk=analysis.pk).first()
    before = {**(_analysis_snapshot(stored) if stored else {}), **_hypotheses_snapshot(case)}
    before_fields = _analysis_snapshot(stored) if stored else {}
    for name in ANALYSIS_FIELDS:
        setattr(analysis, name, fields.get(name, ""))
    analysis.checklist = checklist.normalise(checklist_data)
    if stored is not None:
        if _analysis_snapshot(analysis) != before_fields or hypotheses_formset.has_changed():
            locking.claim(analysis, version)
        else:
            locking.check(analysis, version)
    analysis.case = case
    analysis.updated_by = user if getattr(user, "is_authenticated", False) else None
    analysis.save()
    hypotheses_formset.instance = case
    hypotheses_formset.save()
    changes = log.diff(before, {**_analysis_snapshot(analysis), **_hypotheses_snapshot(case)})
    if changes:
        log.record(user, "update", analysis, summary=f"{case.title}: cause analysis", changes=changes)
    return changes


@transaction.atomic
def create_measure(user, case: PlaceCase, fields: dict, photos_before=(), photos_after=()) -> Action:
    action = action_services.create_action(user, case=case, **fields)
    add_photos(user, action, photos_before, ActionPhoto.When.BEFORE)
    add_photos(user, action, photos_after, ActionPhoto.When.AFTER)
    log.record(user, "update", case, summary=f"{case.title}: measure added",
               changes={"measures": [None, action.title]})
    return action


@transaction.atomic
def add_photos(user, action: Action, uploads, when: str, caption: str = "") -> list[ActionPhoto]:
    made = []
    for upload in uploads:
        photo = ActionPhoto(action=action, when=when, caption=caption,
                            uploaded_by=user if getattr(user, "is_authenticated", False) else None)
        photo.image.save(upload.name, upload, save=False)
        photo.save()
        made.append(photo)
    if made:
        log.record(user, "update", action, summary=f"{action.title}: photos",
                   changes={f"photos ({when})": [None, ", ".join(p.image.name.rsplit('/', 1)[-1] for p in made)]})
    return made
