"""Test data for the results and feedback tests, made directly with the models."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from samtrygg.walks.models import Answer, Question, Questionnaire, QuestionnaireVersion, Response

_tokens = itertools.count(1)

OPTIONS = [{"value": "belysning", "label_sv": "Bättre belysning", "label_en": "Better lighting"},
           {"value": "buskar", "label_sv": "Klipp buskar", "label_en": "Cut bushes"},
           {"value": "vakter", "label_sv": "Fler vakter", "label_en": "More guards"}]


def questionnaire(slug="trygghet-2026", area=None, title="Trygghetsenkät"):
    q = Questionnaire.objects.create(title=title, slug=slug, area=area, is_open=True)
    return q


def version(q, number=1, *, with_place=True):
    v = QuestionnaireVersion.objects.create(questionnaire=q, number=number)
    Question.objects.create(version=v, position=1, key="trygg-dag", kind="likert",
                            text_sv="Hur trygg känner du dig på dagen?", text_en="How safe do you feel by day?")
    Question.objects.create(version=v, position=2, key="trygg-kvall", kind="likert", measures_safety=True,
                            text_sv="Hur trygg känner du dig efter mörkrets inbrott?",
                            text_en="How safe do you feel after dark?")
    Question.objects.create(version=v, position=3, key="atgarder", kind="multiple", options=OPTIONS,
                            text_sv="Vad skulle göra området tryggare?", text_en="What would make it safer?")
    Question.objects.create(version=v, position=4, key="ovrigt", kind="text",
                            text_sv="Något mer du vill berätta?", text_en="Anything else?")
    Question.objects.create(version=v, position=5, key="plats", kind="map_point",
                            text_sv="Var känner du dig otrygg?", text_en="Where do you feel unsafe?")
    return v


def respond(v, area=None, *, when=None, **values):
    """One response; values by question key (None = skip)."""
    r = Response.objects.create(version=v, area=area, token=f"t{next(_tokens)}")
    if when is not None:
        Response.objects.filter(pk=r.pk).update(submitted_at=when)
        r.refresh_from_db()
    for key, value in values.items():
        if value is None:
            continue
        Answer.objects.create(response=r, question=v.questions.get(key=key.replace("_", "-")), value=value)
    return r


def ten_responses(v, area=None, when=None):
    """7 of 10 safe by day (4–5), 3 of 10 after dark; measures ticked a: 6, b: 4, c: 2; one text x 6."""
    when = when or timezone.now() - timedelta(days=3)
    day = [5, 5, 4, 4, 4, 5, 4, 2, 1, 3]
    dark = [4, 5, 4, 2, 2, 1, 3, 2, 1, 3]
    multi = [["belysning", "buskar"], ["belysning"], ["belysning", "vakter"], ["belysning", "buskar"],
             ["belysning"], ["belysning", "buskar", "vakter"], ["buskar"], [], [], []]
    out = []
    for i in range(10):
        out.append(respond(v, area, when=when, trygg_dag=day[i], trygg_kvall=dark[i], atgarder=multi[i],
                           ovrigt="Mörkt vid tunneln!" if i < 6 else f"Hemlig kommentar {i}",
                           plats={"lat": 59.85 + i / 1000, "lon": 17.64} if i < 5 else {"place": "parken"}))
    return out
