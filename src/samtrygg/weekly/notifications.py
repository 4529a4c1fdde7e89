"""E-mails to subscribers: when the weekly picture is published, and when signals fire.

Who gets what (decided here, documented on the subscription page):

- Publication: subscribers with ``on_publish``. A municipality-wide picture goes to all of them; an area's
  picture to those who chose no areas or an area that contains it or lies in it.
- Signals: subscribers with ``on_signal`` get ONE e-mail per run listing the week's signals (status
  ``alarm``) in their areas (an area includes the areas nested in it) and categories (none chosen = all).
  Each signal (week × area × category) is e-mailed to a user once (:class:`SignalNotice`); a run that fails
  to send releases its claims, so the next run retries.
- Sensitivity: a signal in a sensitive category is only sent to users who see every sensitive report
  (:func:`samtrygg.reports.access.sees_all_sensitive`). The signal's name, area and count would already tell
  them about reports they may not open, so everyone else never hears of it (the page's aggregate counts are
  another matter: DESIGN.md allows counts, but an e-mail is a pointer, not a count among others).
- Only active users with an e-mail address, and with an organisation (or superusers), get e-mails.

E-mails are written in the site's default language (``LANGUAGE_CODE``) and sent through Django's configured
e-mail backend (``EMAIL_BACKEND``; SMTP settings from the environment). Links are built from
``SAMTRYGG_BASE_URL``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samtrygg.areas.models import Area
from samtrygg.reports.access import sees_all_sensitive

from . import disclosure, events
from .models import SignalNotice, Subscription, WeeklyPicture
from .weeks import IsoWeek

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SAMTRYGG_BASE_URL.rstrip("/") + path


def week_url(week: IsoWeek, area_code: str | None = None) -> str:
    path = reverse("weekly:week", args=[str(week)])
    return absolute(path + (f"?area={area_code}" if area_code else ""))


def _within(area_ids: list[int]) -> set[int]:
    """The areas and every area nested in them."""
    ids, frontier = set(area_ids), list(area_ids)
    while frontier:
        frontier = [pk for pk in Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                    if pk not in ids]
        ids.update(frontier)
    return ids


def _around(area: Area) -> set[int]:
    """The area, the areas it lies in, and the areas nested in it."""
    ids = _within([area.pk])
    parent_id = area.parent_id
    while parent_id and parent_id not in ids:
        ids.add(parent_id)
        parent_id = Area.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


def _mailable(qs):
    return (qs.filter(user__is_active=True).exclude(user__email="")
            .filter(Q(user__organization__isnull=False) | Q(user__is_superuser=True))
            .select_related("user", "user__organization"))


def publish_recipients(picture: WeeklyPicture) -> list:
    subs = _mailable(Subscription.objects.filter(on_publish=True))
    if picture.area_id is not None:
        subs = subs.filter(Q(areas__isnull=True) | Q(areas__in=_around(picture.area))).distinct()
    return [s.user for s in subs.order_by("user_id")]


def _send(messages: list[EmailMultiAlternatives]) -> tuple[int, bool]:
    """(sent, failed): a broken mail server is logged and reported, never raised at the user."""
    if not messages:
        return 0, False
    try:
        connection = get_connection(fail_silently=False)
        return connection.send_messages(messages) or 0, False
    except Exception:  # SMTP errors come in many classes (socket, smtplib, ssl); all mean "not sent"
        logger.exception("sending %d e-mail(s) failed", len(messages))
        return 0, True


def _message(subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    text = render_to_string(f"weekly/email/{template}.txt", context)
    html = render_to_string(f"weekly/email/{template}.html", context)
    msg = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    msg.attach_alternative(html, "text/html")
    return msg


def published_subject(week: IsoWeek, area: Area | None, updated: bool) -> str:
    values = {"week": week.week, "year": week.year, "area": area.name if area else ""}
    if area is None:
        return (_("Weekly picture week %(week)s updated") if updated
                else _("Weekly picture week %(week)s published")) % values
    return (_("Weekly picture week %(week)s, %(area)s, updated") if updated
            else _("Weekly picture week %(week)s, %(area)s, published")) % values


def send_published(picture: WeeklyPicture, *, updated: bool) -> tuple[int, bool]:
    """E-mail the publication to its subscribers. Returns (sent, failed)."""
    week = IsoWeek(picture.iso_year, picture.iso_week)
    area = picture.area if picture.area_id else None
    url = week_url(week, area.code if area else None)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = published_subject(week, area, updated)
        for user in publish_recipients(picture):
            context = {"user": user, "picture": picture, "week": week, "area": area, "url": url,
                       "updated": updated, "subscription_url": absolute(reverse("weekly:subscription"))}
            messages.append(_message(subject, "published", context, user.email))
    return _send(messages)


# ---- signals -------------------------------------------------------------------------------------------

@dataclass
class SignalRun:
    week: IsoWeek
    signals: int = 0  # alarms this week
    users: int = 0  # users e-mailed
    notices: int = 0  # signals e-mailed (user × signal)
    already_sent: int = 0  # matching signals skipped because they were e-mailed before
    no_email: list[str] = field(default_factory=list)  # subscribers without an e-mail address
    failed: int = 0  # users whose e-mail could not be sent

    def summary(self) -> str:
        text = (f"{self.week}: {self.signals} signal(s); e-mailed {self.users} user(s) "
                f"about {self.notices} signal(s)")
        if self.already_sent:
            text += f"; {self.already_sent} already sent before"
        if self.no_email:
            text += f"; {len(self.no_email)} subscriber(s) without an e-mail address ({', '.join(self.no_email)})"
        if self.failed:
            text += f"; FAILED to send to {self.failed} user(s)"
        return text


def matching_signals(subscription: Subscription, alarms: list, sensitive_ids: set[int]) -> list:
    """The signals a subscriber asked for and may know about."""
    area_ids = _within([a.pk for a in subscription.areas.all()])
    cat_ids = {c.pk for c in subscription.categories.all()}
    sees_sensitive = sees_all_sensitive(subscription.user)
    return [r for r in alarms
            if (not area_ids or r.area.id in area_ids)
            and (not cat_ids or r.category.id in cat_ids)
            and (sees_sensitive or r.category.id not in sensitive_ids)]


def _claim(user, week: IsoWeek, rows: list) -> list:
    """Record the notices; returns the rows this run claimed (a concurrent run may have claimed others)."""
    claimed = []
    for r in rows:
        try:
            with transaction.atomic():
                SignalNotice.objects.create(user=user, iso_year=week.year, iso_week=week.week,
                                            area_id=r.area.id, category_id=r.category.id)
            claimed.append(r)
        except IntegrityError:
            pass
    return claimed


def notify_signals(week: IsoWeek, rows: list | None = None) -> SignalRun:
    """E-mail each subscriber the week's new signals that match their subscription (one e-mail each)."""
    from . import signal_service

    run = SignalRun(week)
    if rows is None:
        with translation.override(settings.LANGUAGE_CODE):  # the explanations are e-mailed in this language
            rows = signal_service.signals_for_weeks(week, week)
    alarms = sorted((r for r in rows if r.alarm and r.week == week), key=lambda r: -r.score)
    run.signals = len(alarms)
    if not alarms:
        return run
    events.signals_fired.send(sender=SignalRun, week=week, alarms=alarms)
    sensitive_ids = disclosure.sensitive_category_ids()
    sent_before = set(SignalNotice.objects.filter(iso_year=week.year, iso_week=week.week)
                      .values_list("user_id", "area_id", "category_id"))
    subs = (Subscription.objects.filter(on_signal=True, user__is_active=True)
            .select_related("user", "user__organization").prefetch_related("areas", "categories")
            .order_by("user_id"))
    with translation.override(settings.LANGUAGE_CODE):
        for sub in subs:
            user = sub.user
            if not (user.organization_id or user.is_superuser):
                continue
            wanted = matching_signals(sub, alarms, sensitive_ids)
            new = [r for r in wanted if (user.pk, r.area.id, r.category.id) not in sent_before]
            run.already_sent += len(wanted) - len(new)
            if not new:
                continue
            if not user.email:
                run.no_email.append(user.get_username())
                continue
            claimed = _claim(user, week, new)
            if not claimed:
                continue
            subject = ngettext("%(n)s signal in week %(week)s", "%(n)s signals in week %(week)s",
                               len(claimed)) % {"n": len(claimed), "week": week.week}
            items = [{"row": r, "url": week_url(week, r.area.code)} for r in claimed]
            context = {"user": user, "week": week, "items": items, "url": week_url(week),
                       "subscription_url": absolute(reverse("weekly:subscription"))}
            sent, failed = _send([_message(subject, "signals", context, user.email)])
            if failed or not sent:
                run.failed += 1
                SignalNotice.objects.filter(user=user, iso_year=week.year, iso_week=week.week,
                                            area_id__in=[r.area.id for r in claimed],
                                            category_id__in=[r.category.id for r in claimed]).delete()
                continue
            run.users += 1
            run.notices += len(claimed)
    return run
