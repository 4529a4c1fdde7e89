"""E-mail reminders: before a measure's end date (to the responsible organisation's coordinators) and
before a case's follow-up date (to the case's coordinator). Each goes out once: the send time is stored
(`Action.reminder_sent_at`, `PlaceCase.follow_up_reminder_sent_at`) in the same transaction as the send."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Role, User
from samtrygg.actions.models import Action
from samtrygg.actions.queries import OPEN_STATUSES

from .models import PlaceCase

DEFAULT_DAYS = 7


@dataclass
class Outcome:
    measures: int = 0
    cases: int = 0
    emails: int = 0
    without_recipients: list[str] = field(default_factory=list)


def measures_due(today: dt.date, days: int):
    return (Action.objects.filter(case__isnull=False, status__in=OPEN_STATUSES, reminder_sent_at__isnull=True,
                                  end_date__gte=today, end_date__lte=today + dt.timedelta(days=days))
            .select_related("responsible", "case").order_by("end_date", "pk"))


def cases_due(today: dt.date, days: int):
    return (PlaceCase.objects.exclude(status=PlaceCase.Status.CLOSED)
            .filter(follow_up_reminder_sent_at__isnull=True, follow_up_on__gte=today,
                    follow_up_on__lte=today + dt.timedelta(days=days))
            .select_related("coordinator").order_by("follow_up_on", "pk"))


def measure_recipients(action: Action) -> list[str]:
    return sorted(set(User.objects.filter(organization_id=action.responsible_id, role=Role.COORDINATOR,
                                          is_active=True).exclude(email="").values_list("email", flat=True)))


def _url(name: str, pk: int) -> str:
    return settings.SAMTRYGG_BASE_URL + reverse(name, args=[pk])


def send_reminders(*, days: int = DEFAULT_DAYS, today: dt.date | None = None) -> Outcome:
    today = today or timezone.localdate()
    out = Outcome()
    for action in measures_due(today, days):
        to = measure_recipients(action)
        if not to:
            out.without_recipients.append(f"measure {action.pk} ({action.responsible})")
            continue
        subject = _("Samtrygg: the measure “%(title)s” ends on %(date)s") % {
            "title": action.title, "date": action.end_date.isoformat()}
        body = _("The measure “%(title)s” of the place case “%(case)s” is planned to end on %(date)s.\n"
                 "Please update its status and follow-up note:\n%(url)s\n") % {
            "title": action.title, "case": action.case.title, "date": action.end_date.isoformat(),
            "url": _url("actions:detail", action.pk)}
        with transaction.atomic():
            send_mail(subject, body, None, to)
            Action.objects.filter(pk=action.pk).update(reminder_sent_at=timezone.now())
        out.measures += 1
        out.emails += 1
    for case in cases_due(today, days):
        email = case.coordinator.email if case.coordinator and case.coordinator.is_active else ""
        if not email:
            out.without_recipients.append(f"case {case.pk} (no coordinator e-mail)")
            continue
        subject = _("Samtrygg: follow-up of “%(title)s” on %(date)s") % {
            "title": case.title, "date": case.follow_up_on.isoformat()}
        body = _("The place case “%(title)s” is due for follow-up on %(date)s.\n"
                 "The case, its measures and the evaluation:\n%(url)s\n") % {
            "title": case.title, "date": case.follow_up_on.isoformat(), "url": _url("cases:detail", case.pk)}
        with transaction.atomic():
            send_mail(subject, body, None, [email])
            PlaceCase.objects.filter(pk=case.pk).update(follow_up_reminder_sent_at=timezone.now())
        out.cases += 1
        out.emails += 1
    return out
