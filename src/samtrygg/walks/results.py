"""Questionnaire results: the database side of :mod:`samtrygg.analysis.survey`.

- :func:`build_results` — the staff results page: every question of the newest version (answers from
  every version are matched by the question's stable ``key``), distributions, comparison between areas
  (``Response.area``) and over versions, grouped free text with its moderation state, map answers.
- :func:`public_results` — the residents' feedback: the same numbers with small groups suppressed
  (``survey.MIN_GROUP``), only approved free text, key figures in plain language.
- :func:`safety_unsafe_share` — the quarterly ranking's "residents' sense of safety": per area the
  share of respondents NOT answering 4–5 on the question marked ``measures_safety`` (higher = more need),
  over the 12 months that end with the quarter (one quarter is too few answers in most areas);
  areas with fewer than 5 answers have no value.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.analysis import survey

from .models import Answer, Feedback, Question, Questionnaire, QuestionnaireVersion, Response

Kind = Question.Kind
CHOICE_KINDS = (Kind.LIKERT, Kind.SINGLE, Kind.MULTIPLE)


class ResultsError(ValueError):
    pass


def text_of(obj, field: str, lang: str) -> str:
    """``text_en`` in English when filled, else the Swedish text."""
    if lang == "en":
        value = getattr(obj, f"{field}_en", "") or ""
        if value:
            return value
    return getattr(obj, f"{field}_sv", "") or ""


def option_labels(question: Question, lang: str) -> dict[str, str]:
    labels = {}
    for opt in question.options or []:
        if isinstance(opt, dict) and "value" in opt:
            label = opt.get(f"label_{lang}") or opt.get("label_sv") or str(opt["value"])
            labels[str(opt["value"])] = label
    return labels


def option_values(question: Question) -> list[str]:
    if question.kind == Kind.LIKERT:
        return [str(v) for v in survey.LIKERT_SCALE]
    return [str(o["value"]) for o in question.options or [] if isinstance(o, dict) and "value" in o]


def latest_version(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return questionnaire.versions.order_by("-number").first()


def responses(questionnaire: Questionnaire, *, area=None, start: datetime | None = None,
              end: datetime | None = None):
    qs = Response.objects.filter(version__questionnaire=questionnaire)
    if area is not None:
        qs = qs.filter(area=area)
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lt=end)
    return qs


def distribution(question: Question, values: list) -> survey.Distribution:
    if question.kind == Kind.LIKERT:
        return survey.likert(values)
    if question.kind == Kind.MULTIPLE:
        return survey.multiple_choice(values, option_values(question))
    return survey.single_choice(values, option_values(question))


def _label(dist: dict, labels: dict[str, str]) -> dict:
    for o in dist["options"]:
        o["label"] = labels.get(o["value"], o["value"])
    return dist


def _answers_by_key(resp_qs) -> dict[str, list[Answer]]:
    by_key: dict[str, list[Answer]] = defaultdict(list)
    rows = (Answer.objects.filter(response__in=resp_qs)
            .select_related("question", "question__version", "response", "response__area")
            .order_by("response__submitted_at", "id"))
    for a in rows:
        by_key[a.question.key].append(a)
    return by_key


def _place_names(codes) -> dict[str, str]:
    from samtrygg.areas.models import Area, Place

    codes = set(codes)
    if not codes:
        return {}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    names.update(Place.objects.filter(code__in=codes).values_list("code", "name"))
    return names


def build_results(questionnaire: Questionnaire, *, area=None, start=None, end=None, lang: str = "sv") -> dict:
    """Everything the staff results page shows."""
    version = latest_version(questionnaire)
    resp_qs = responses(questionnaire, area=area, start=start, end=end)
    total = resp_qs.count()
    by_key = _answers_by_key(resp_qs)
    questions = list(version.questions.all()) if version else []
    out = []
    for q in questions:
        answers = by_key.get(q.key, [])
        item = {"question": q, "key": q.key, "kind": q.kind, "text": text_of(q, "text", lang),
                "answered": len(answers)}
        if q.kind in CHOICE_KINDS:
            labels = option_labels(q, lang)
            item["distribution"] = _label(distribution(q, [a.value for a in answers]).as_dict(), labels)
            by_area: dict[str, list] = defaultdict(list)
            by_version: dict[str, list] = defaultdict(list)
            for a in answers:
                by_area[a.response.area.name if a.response.area else _("No area")].append(a.value)
                by_version[_("Version %(n)s (%(year)s)") % {
                    "n": a.question.version.number,
                    "year": timezone.localtime(a.response.submitted_at).year}].append(a.value)
            item["by_area"] = [_label(row, labels) for row in survey.compare(
                {k: distribution(q, v) for k, v in sorted(by_area.items())})]
            item["by_version"] = [_label(row, labels) for row in survey.compare(
                {k: distribution(q, v) for k, v in sorted(by_version.items())})]
        elif q.kind == Kind.TEXT:
            state = {a.id: a.approved for a in answers}
            groups = survey.group_texts((a.id, str(a.value)) for a in answers if isinstance(a.value, str))
            for g in groups:
                g["items"] = [{"id": i, "approved": state[i]} for i in g["ids"]]
                g["approved"] = sum(1 for i in g["ids"] if state[i] is True)
                g["pending"] = sum(1 for i in g["ids"] if state[i] is None)
            item["groups"] = groups
        elif q.kind == Kind.MAP_POINT:
            points, places = [], defaultdict(int)
            for a in answers:
                v = a.value if isinstance(a.value, dict) else {}
                if "lat" in v and "lon" in v:
                    try:
                        points.append([float(v["lat"]), float(v["lon"])])
                    except (TypeError, ValueError):
                        continue
                elif v.get("place"):
                    places[str(v["place"])] += 1
            names = _place_names(places)
            item["points"] = points
            item["places"] = sorted(({"code": c, "name": names.get(c, c), "count": n} for c, n in places.items()),
                                    key=lambda p: (-p["count"], p["name"]))
        out.append(item)
    return {"questionnaire": questionnaire, "version": version, "respondents": total, "questions": out}


@transaction.atomic
def moderate(questionnaire: Questionnaire, answer_ids: list[int], approved: bool, user) -> int:
    """Approve or reject free-text answers of this questionnaire; returns how many changed."""
    from samtrygg.audit import log

    qs = Answer.objects.filter(id__in=answer_ids, question__kind=Kind.TEXT,
                               question__version__questionnaire=questionnaire)
    n = qs.update(approved=approved, approved_by=user)
    if n:
        log.record(user, "update", questionnaire,
                   summary=f"{'approved' if approved else 'rejected'} {n} free-text answer(s)")
    return n


# ---- public feedback ------------------------------------------------------------------------------

def public_results(feedback: Feedback, *, area=None, lang: str = "sv") -> dict:
    """The published results in plain language; no group under ``survey.MIN_GROUP`` answers."""
    questionnaire = feedback.questionnaire
    area = area or feedback.area
    version = latest_version(questionnaire)
    resp_qs = responses(questionnaire, area=area)
    total = resp_qs.count()
    by_key = _answers_by_key(resp_qs)
    items, key_figures = [], []
    for q in (version.questions.all() if version else []):
        answers = by_key.get(q.key, [])
        item = {"key": q.key, "kind": q.kind, "text": text_of(q, "text", lang)}
        if q.kind in CHOICE_KINDS:
            dist = distribution(q, [a.value for a in answers])
            item["distribution"] = _label(survey.suppressed_distribution(dist), option_labels(q, lang))
            if q.kind == Kind.LIKERT and dist.respondents >= survey.MIN_GROUP:
                safe, n = survey.share_safe([a.value for a in answers])
                key_figures.append({"text": item["text"], "tenths": survey.in_tenths(safe, n),
                                    "measures_safety": q.measures_safety})
        elif q.kind == Kind.TEXT:
            approved = [(a.id, a.value) for a in answers if a.approved is True and isinstance(a.value, str)]
            item["quotes"] = [g["text"] for g in survey.group_texts(approved)][:20]  # the same words once
        elif q.kind == Kind.MAP_POINT:
            places = defaultdict(int)
            for a in answers:
                v = a.value if isinstance(a.value, dict) else {}
                if v.get("place"):
                    places[str(v["place"])] += 1
            names = _place_names(places)
            shown = [{"name": names.get(c, c), "count": n} for c, n in places.items() if n >= survey.MIN_GROUP]
            item["places"] = sorted(shown, key=lambda p: -p["count"])
            item["hidden_places"] = sum(1 for n in places.values() if n < survey.MIN_GROUP)
        items.append(item)
    key_figures.sort(key=lambda f: not f["measures_safety"])
    return {"feedback": feedback, "questionnaire": questionnaire, "area": area,
            "respondents": survey.suppress(total), "questions": items, "key_figures": key_figures,
            "summary": feedback.summary_en if lang == "en" and feedback.summary_en else feedback.summary_sv,
            "actions": list(feedback.actions.all().order_by("start_date", "id")) if feedback.pk else []}


def published_feedback(slug: str, area_code: str | None = None) -> Feedback | None:
    """The published feedback for the questionnaire ``slug`` (for ``area_code`` when given: that area's
    own feedback if published, else the questionnaire-wide one, filtered to the area)."""
    qs = Feedback.objects.filter(questionnaire__slug=slug, published_at__isnull=False).select_related(
        "questionnaire", "area")
    if area_code:
        own = qs.filter(area__code=area_code).first()
        if own:
            return own
    return qs.filter(area__isnull=True).first() or (None if area_code else qs.first())


@transaction.atomic
def save_feedback(feedback: Feedback, *, summary_sv: str, summary_en: str, actions, publish: bool | None, user,
                  version: int | None = None):
    """Save the editor's texts, chosen actions and publication. ``version`` is the one the editor was loaded
    at (0: there was no feedback yet); when someone saved since, :class:`samtrygg.core.locking.EditConflict`
    is raised and nothing is written."""
    from django.db import IntegrityError, transaction

    from samtrygg.core import locking

    try:
        with transaction.atomic():
            if feedback.pk is not None:
                locking.claim(feedback, version)
            return _save_feedback(feedback, summary_sv=summary_sv, summary_en=summary_en, actions=actions,
                                  publish=publish, user=user)
    except IntegrityError:  # created by someone else at the same moment
        existing = Feedback.objects.get(questionnaire=feedback.questionnaire, area=feedback.area)
        raise locking.EditConflict(Feedback, existing.pk, version, existing.version) from None


def _save_feedback(feedback: Feedback, *, summary_sv: str, summary_en: str, actions, publish: bool | None, user):
    feedback.summary_sv = summary_sv
    feedback.summary_en = summary_en
    if publish is True and not feedback.published_at:
        feedback.published_at = timezone.now()
        feedback.published_by = user
    elif publish is False:
        feedback.published_at = None
        feedback.published_by = None
    feedback.save()
    feedback.actions.set(actions)
    from samtrygg.audit import log

    log.record(user, "update", feedback, summary=str(feedback.questionnaire))
    return feedback


# ---- the quarterly ranking ------------------------------------------------------------------------

def safety_counts(area_ids: list[int], start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """{area id: (respondents answering 4–5, respondents)} on questions marked ``measures_safety``,
    for responses submitted in [start, end)."""
    values: dict[int, list] = defaultdict(list)
    rows = Answer.objects.filter(question__measures_safety=True, question__kind=Kind.LIKERT,
                                 response__area_id__in=area_ids, response__submitted_at__gte=start,
                                 response__submitted_at__lt=end).values_list("response__area_id", "value")
    for area_id, value in rows:
        values[area_id].append(value)
    return {a: survey.share_safe(v) for a, v in values.items()}


def safety_unsafe_share(area_ids: list[int], start: datetime, end: datetime) -> list[float | None]:
    """Per area (in order): share of respondents NOT feeling safe (1 − share answering 4–5), or None
    with fewer than ``survey.MIN_GROUP`` answers."""
    counts = safety_counts(area_ids, start, end)
    out: list[float | None] = []
    for a in area_ids:
        safe, n = counts.get(a, (0, 0))
        out.append(None if n < survey.MIN_GROUP else round(1 - safe / n, 4))
    return out


def has_safety_data() -> bool:
    return Answer.objects.filter(question__measures_safety=True).exists()


# ---- place cases ----------------------------------------------------------------------------------

def findings_in_shape(shape, place_code: str | None = None) -> list[dict]:
    """Safety-walk observations inside ``shape`` (EPSG:3006) and, per questionnaire, how many map answers
    fall inside it (a point inside, or the place ``place_code`` chosen from the list). For the place case's
    data sheet: ``{"title", "date", "text", "url"}``, newest first. Individual answers are never listed."""
    import shapely
    from django.urls import reverse

    from samtrygg.analysis import geo

    from .models import Observation

    if shape is None or shape.is_empty:
        return []
    minx, miny, maxx, maxy = shape.bounds
    out: list[dict] = []
    observations = list(Observation.objects.select_related("walk", "category").order_by("-walk__walked_on", "-id"))
    if observations:
        xs, ys = geo.wgs84_to_sweref([o.lon for o in observations], [o.lat for o in observations])
        inside = shapely.contains_xy(shape, xs, ys)
        for o, hit in zip(observations, inside, strict=True):
            if hit:
                out.append({"title": o.walk.title, "date": o.walk.walked_on,
                            "text": f"{o.category}: {o.comment}" if o.comment else str(o.category),
                            "url": reverse("walks:detail", args=[o.walk_id])})
    counts: dict[int, list] = {}
    answers = (Answer.objects.filter(question__kind=Kind.MAP_POINT)
               .select_related("question__version__questionnaire", "response"))
    for a in answers:
        v = a.value if isinstance(a.value, dict) else {}
        hit = False
        if place_code and v.get("place") == place_code:
            hit = True
        elif "lat" in v and "lon" in v:
            try:
                x, y = geo.wgs84_to_sweref(float(v["lon"]), float(v["lat"]))
                x, y = float(x), float(y)
            except (TypeError, ValueError):
                continue
            hit = minx <= x <= maxx and miny <= y <= maxy and bool(shapely.contains_xy(shape, x, y))
        if hit:
            q = a.question.version.questionnaire
            entry = counts.setdefault(q.pk, [q, 0, a.response.submitted_at])
            entry[1] += 1
            entry[2] = max(entry[2], a.response.submitted_at)
    for q, n, last in counts.values():
        out.append({"title": q.title, "date": timezone.localtime(last).date(),
                    "text": _("%(n)s residents marked this place in the questionnaire") % {"n": n},
                    "url": reverse("walks:results", args=[q.pk])})
    return out
