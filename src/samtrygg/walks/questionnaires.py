"""Questionnaire services: creating, versioning (a version with answers is frozen; editing copies it),
open/closed status, the option line format of the builder, and the per-client rate limit."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.audit import log
from samtrygg.core import locking

from .defaults import DEFAULT_QUESTIONS
from .models import AnswerRateBucket, Question, Questionnaire, QuestionnaireVersion

QUESTION_FIELDS = ("key", "kind", "text_sv", "text_en", "help_sv", "help_en", "options", "required",
                   "condition", "measures_safety")
RATE_LIMIT_PER_HOUR = 20


# ---- versions ------------------------------------------------------------------------------------

def current_version(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return questionnaire.versions.order_by("-number").first()


def is_frozen(version: QuestionnaireVersion) -> bool:
    """A version with answers never changes: its answers must keep meaning what was asked."""
    return version.responses.exists()


def question_rows(version: QuestionnaireVersion | None) -> list[dict]:
    if version is None:
        return []
    return [{f: getattr(q, f) for f in QUESTION_FIELDS} for q in version.questions.order_by("position")]


@transaction.atomic
def create_questionnaire(user, *, title: str, slug: str, area=None, from_template: bool = True,
                         intro_sv: str = "", intro_en: str = "") -> Questionnaire:
    questionnaire = Questionnaire.objects.create(title=title, slug=slug, area=area, intro_sv=intro_sv,
                                                 intro_en=intro_en, created_by=user)
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    if from_template:
        _write_questions(version, DEFAULT_QUESTIONS)
    log.record(user, "create", questionnaire, summary=questionnaire.title,
               changes=log.diff({}, {"title": title, "slug": slug, "area": str(area or "")}))
    return questionnaire


def _write_questions(version: QuestionnaireVersion, rows: list[dict]) -> None:
    version.questions.all().delete()
    Question.objects.bulk_create([
        Question(version=version, position=i + 1,
                 **{f: row.get(f, Question._meta.get_field(f).get_default()) for f in QUESTION_FIELDS})
        for i, row in enumerate(rows)
    ])


@transaction.atomic
def save_questions(questionnaire: Questionnaire, rows: list[dict], *, user=None,
                   edit_version: int | None = None) -> QuestionnaireVersion:
    """Store the edited questions. The current version is changed in place while it has no answers;
    once it has answers a new version is made (copy-on-write) and the old one stays as answered.
    ``edit_version`` is the builder's optimistic lock: when someone saved the questions since the builder was
    loaded, :class:`samtrygg.core.locking.EditConflict` is raised and nothing is written."""
    # Lock the questionnaire so two editors cannot both create "version n+1".
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    version = current_version(questionnaire)
    before = question_rows(version)
    locking.claim(questionnaire, edit_version, field="edit_version")
    if version is None or is_frozen(version):
        number = (version.number + 1) if version else 1
        version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number)
    _write_questions(version, rows)
    log.record(user, "update", questionnaire, summary=f"{questionnaire.title}: questions (version {version.number})",
               changes={"questions": [" | ".join(r.get("key", "") for r in before),
                                      " | ".join(r.get("key", "") for r in rows)]})
    return version



# ---- status --------------------------------------------------------------------------------------

def status(questionnaire: Questionnaire, now: datetime | None = None) -> str:
    """"open", "closed" or "not_yet" (the opening date lies ahead)."""
    now = now or timezone.now()
    if not questionnaire.is_open:
        return "closed"
    if questionnaire.opens_at and now < questionnaire.opens_at:
        return "not_yet"
    if questionnaire.closes_at and now >= questionnaire.closes_at:
        return "closed"
    return "open"


# ---- the builder's option lines ------------------------------------------------------------------

class OptionError(ValueError):
    pass


def parse_options(text: str) -> list[dict]:
    """Lines "value|label_sv|label_en" (label_en optional, label_sv defaults to the value)."""
    options, seen = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3 or not parts[0]:
            raise OptionError(_("line %(n)s: write value|Swedish label|English label") % {"n": number})
        value = parts[0]
        if value in seen:
            raise OptionError(_("line %(n)s: the value “%(value)s” appears twice") % {"n": number, "value": value})
        seen.add(value)
        label_sv = parts[1] if len(parts) > 1 and parts[1] else value
        label_en = parts[2] if len(parts) > 2 else ""
        options.append({"value": value, "label_sv": label_sv, "label_en": label_en})
    return options


def options_text(options: list[dict]) -> str:
    return "\n".join(f"{o.get('value', '')}|{o.get('label_sv', '')}|{o.get('label_en', '')}" for o in options or [])


# ---- rate limit ----------------------------------------------------------------------------------

def client_key(ip: str, now: datetime | None = None) -> str:
    """An HMAC of the address and the day: the same client counts together for a day, the address itself is
    never stored and the key cannot be reversed without the secret key."""
    day = (now or timezone.now()).date().isoformat()
    return hmac.new(settings.SECRET_KEY.encode(), f"{ip}|{day}".encode(), hashlib.sha256).hexdigest()


def rate_limited(ip: str, *, limit: int | None = None, now: datetime | None = None) -> bool:
    """Count one submission for this client in the current hour; True when over the limit."""
    limit = limit or RATE_LIMIT_PER_HOUR
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    key = client_key(ip, now)
    bucket = AnswerRateBucket.objects.filter(key=key, hour=hour)
    if not bucket.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                AnswerRateBucket.objects.create(key=key, hour=hour, count=1)
        except IntegrityError:
            bucket.update(count=F("count") + 1)
    AnswerRateBucket.objects.filter(hour__lt=hour - timedelta(days=1)).delete()
    return bucket.values_list("count", flat=True).first() > limit


# ---- storing an answer ---------------------------------------------------------------------------

class AlreadyStored(Exception):
    """The form's one-time token was used already: nothing new is stored."""


def store_response(form, *, channel: str = "web", entered_by=None):
    """One Response with its Answers from a valid AnswerForm, atomically and once per token."""
    from .models import Answer, Response

    token = form.cleaned_data["token"]
    version = form.version
    try:
        with transaction.atomic():
            response = Response.objects.create(
                version=version, area=version.questionnaire.area, token=token,
                language=form.cleaned_data["language"], channel=channel, entered_by=entered_by)
            Answer.objects.bulk_create([Answer(response=response, question=q, value=v)
                                        for q, v in form.answered()])
    except IntegrityError:
        raise AlreadyStored from None
    return response
