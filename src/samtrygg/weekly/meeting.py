"""The weekly meeting's record: the coordinator's assessment of the week, and publishing it.

One :class:`~samtrygg.weekly.models.WeeklyPicture` per ISO week and area (area ``None`` = the whole
municipality). Saving writes the audit log; publishing stamps ``published_at``/``published_by``, writes the
audit log and e-mails the subscribers (:mod:`samtrygg.weekly.notifications`). Editing after publishing keeps
``published_at``; the picture is then "changed after publishing" until it is published again ("updated").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Role
from samtrygg.audit import log
from samtrygg.core import locking
from samtrygg.privacy import pii

from . import events
from .models import WeeklyPicture
from .weeks import IsoWeek

MAX_TEXT = 20_000


class MeetingError(ValueError):
    """A request the meeting cannot do (e.g. a week in the future); the message says why."""


def can_write(user) -> bool:
    """Writing the assessment, publishing it: coordinators and admins."""
    return bool(user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMIN))


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _find(week: IsoWeek, area) -> WeeklyPicture | None:
    return (WeeklyPicture.objects.select_related("published_by", "updated_by", "area")
            .filter(iso_year=week.year, iso_week=week.week, area=area).first())


def changed_after_publish(picture: WeeklyPicture) -> bool:
    return bool(picture.published_at and picture.updated_at and picture.updated_at > picture.published_at)


def as_dict(picture: WeeklyPicture) -> dict:
    """The assessment as JSON-serialisable values (times ISO 8601 in local time)."""
    def iso(moment):
        return timezone.localtime(moment).isoformat() if moment else None

    return {
        "week": str(IsoWeek(picture.iso_year, picture.iso_week)),
        "area": picture.area.code if picture.area_id else None,
        "what_we_see": picture.what_we_see,
        "what_it_means": picture.what_it_means,
        "published_at": iso(picture.published_at),
        "published_by": _person(picture.published_by),
        "updated_at": iso(picture.updated_at),
        "updated_by": _person(picture.updated_by),
        "is_published": picture.published_at is not None,
        "changed_after_publish": changed_after_publish(picture),
    }


def assessment_for(week: IsoWeek, area=None) -> dict | None:
    """The week's assessment for the area (None: the municipality), or None when nothing was written."""
    picture = _find(week, area)
    return as_dict(picture) if picture else None


def assessment_version(week: IsoWeek, area=None) -> int:
    """The optimistic-locking version the assessment form carries; 0 while nothing was written."""
    return (WeeklyPicture.objects.filter(iso_year=week.year, iso_week=week.week, area=area)
            .values_list("version", flat=True).first()) or 0


def pii_kinds(*texts: str) -> list[str]:
    """Kinds of personal data found in the texts (each once), for a warning that does not block."""
    found: list[str] = []
    for text in texts:
        for finding in pii.scan(text or ""):
            if finding.kind not in found:
                found.append(finding.kind)
    return found


def _check_week(week: IsoWeek) -> None:
    if week.is_future():
        raise MeetingError(_("Week %(week)s has not started yet; its assessment cannot be written.")
                           % {"week": week})


def _get_or_create_locked(week: IsoWeek, area) -> tuple[WeeklyPicture, bool]:
    """The picture row, locked for this transaction (two coordinators saving at once do not collide)."""
    try:
        with transaction.atomic():
            picture, created = WeeklyPicture.objects.get_or_create(iso_year=week.year, iso_week=week.week, area=area)
    except IntegrityError:  # created by a concurrent request between our get and create
        picture, created = WeeklyPicture.objects.get(iso_year=week.year, iso_week=week.week, area=area), False
    picture = WeeklyPicture.objects.select_for_update().get(pk=picture.pk)
    return picture, created


@transaction.atomic
def save_assessment(user, week: IsoWeek, area, what_we_see: str, what_it_means: str,
                    version: int | None = None) -> tuple[WeeklyPicture, bool]:
    """Save the assessment texts (empty is allowed). Returns (picture, changed); nothing is written when the
    texts are unchanged. ``version`` is the one the form was loaded at (0: nothing was written then); when
    someone saved since, :class:`samtrygg.core.locking.EditConflict` is raised and nothing is written."""
    _check_week(week)
    what_we_see = (what_we_see or "").strip()[:MAX_TEXT]
    what_it_means = (what_it_means or "").strip()[:MAX_TEXT]
    picture, created = _get_or_create_locked(week, area)
    if not created and version == 0:  # the form saw no assessment, but someone has written one since
        raise locking.EditConflict(WeeklyPicture, picture.pk, 0, picture.version)
    before = {"what_we_see": picture.what_we_see, "what_it_means": picture.what_it_means}
    after = {"what_we_see": what_we_see, "what_it_means": what_it_means}
    changes = log.diff({} if created else before, after)
    if not created and not changes:
        locking.check(picture, version)
        return picture, False
    if not created:
        locking.claim(picture, version)
    picture.what_we_see, picture.what_it_means = what_we_see, what_it_means
    picture.updated_by = user
    picture.save()
    log.record(user, "create" if created else "update", picture, summary=_summary(week, area), changes=changes)
    return picture, True


@dataclass
class Published:
    picture: WeeklyPicture
    updated: bool  # published before: this is an update
    unchanged: bool  # already published and nothing changed since: nothing done
    sent: int = 0  # e-mails sent
    mail_failed: bool = False


def publish(user, week: IsoWeek, area) -> Published:
    """Stamp the picture as published, write the audit log, e-mail the subscribers (after the commit)."""
    from . import notifications

    _check_week(week)
    with transaction.atomic():
        picture, _created = _get_or_create_locked(week, area)
        updated = picture.published_at is not None
        if updated and not changed_after_publish(picture):
            return Published(picture, updated=True, unchanged=True)
        before = {"published_at": picture.published_at, "published_by": _person(picture.published_by)}
        picture.published_at = timezone.now()
        picture.published_by = user
        # Not touching updated_at: "changed after publishing" compares it with published_at.
        picture.save(update_fields=["published_at", "published_by"])
        picture.refresh_from_db()
        what = " republished" if updated else " published"
        log.record(user, "update", picture, summary=_summary(week, area) + what,
                   changes=log.diff(before, {"published_at": picture.published_at.isoformat(),
                                             "published_by": _person(user)}))
        events.picture_published.send(sender=WeeklyPicture, picture=picture, updated=updated)
    result = Published(picture, updated=updated, unchanged=False)
    result.sent, result.mail_failed = notifications.send_published(picture, updated=updated)
    return result


def _summary(week: IsoWeek, area) -> str:
    return f"weekly picture {week}" + (f" {area.code}" if area is not None else "")
