"""Fuzzing the public questionnaire form (/svara/<address>/) with hypothesis and Django's test client:
generated POST bodies (missing, extra and duplicated fields, wrong types, huge values, any unicode, unknown
choices, question ids of another version or questionnaire, conditional questions with and without their
condition) never give a 500 and never store a half answer; valid answers are stored exactly once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from samtrygg.walks import questionnaires as svc
from samtrygg.walks.models import Answer, AnswerRateBucket, Question, Response
from tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(area):
    q = svc.create_questionnaire(None, title="Trygghet i Centrum", slug="centrum", area=area)
    q.is_open = True
    q.save()
    PlaceFactory(code="parken", name="Parken", area=area)
    other = svc.create_questionnaire(None, title="Annan", slug="annan", area=area)
    # An older, answered version of the same questionnaire: its question ids are "another version".
    old_ids = [x.pk for x in svc.current_version(q).questions.all()]
    client = Client()
    client.post(reverse("public:answer", args=[q.slug]), {
        "token": "first", "language": "sv", f"q_{old_ids[0]}": "3", f"q_{old_ids[1]}": "3"})
    svc.save_questions(q, svc.question_rows(svc.current_version(q)))
    questions = {x.key: x for x in svc.current_version(q).questions.all()}
    foreign = old_ids + [x.pk for x in svc.current_version(other).questions.all()]
    assert Response.objects.count() == 1
    return q, questions, foreign


UNICODE = st.text(max_size=30)
HUGE = st.sampled_from(["9" * 5000, "x" * 2001, "å" * 100_000, "1e309", "-1", "0", "6", "3.0", " 3 ", "\x00",
                        "NaN", "inf", "91", "-181", "parken\x00"])
ANY_VALUE = st.one_of(UNICODE, HUGE, st.integers(-10, 10).map(str), st.sampled_from(
    ["yes", "no", "klotter", "belysning", "30-49", "parken", "finns-inte", ""]))


@st.composite
def bodies(draw, questions, foreign):
    body: dict[str, list[str]] = {}

    def put(name, values):
        body.setdefault(name, []).extend(values)

    if draw(st.booleans()):
        put("token", [draw(st.one_of(st.uuids().map(str), UNICODE, st.just("x" * 65)))])
    if draw(st.booleans()):
        put("language", [draw(st.sampled_from(["sv", "en", "fi", ""]))])
    for question in questions.values():
        if draw(st.integers(0, 3)) == 0:
            continue  # missing
        put(f"q_{question.pk}", draw(st.lists(ANY_VALUE, min_size=1, max_size=3)))  # possibly duplicated
        if question.kind == Question.Kind.MAP_POINT and draw(st.booleans()):
            put(f"q_{question.pk}_lat", [draw(ANY_VALUE)])
            put(f"q_{question.pk}_lon", [draw(ANY_VALUE)])
    if draw(st.integers(0, 4)) == 0:
        put(f"q_{draw(st.sampled_from(foreign))}", [draw(ANY_VALUE)])
    if draw(st.integers(0, 4)) == 0:
        put(draw(st.sampled_from(["website", "send_anyway", "extra", "q_", "q_abc", "q_999999_lat", "csrf"])),
            [draw(ANY_VALUE)])
    return body


def _snapshot():
    return Response.objects.count(), Answer.objects.count()


def _post(q, body):
    AnswerRateBucket.objects.all().delete()  # the hourly limit per client is tested elsewhere
    return Client().post(reverse("public:answer", args=[q.slug]), body)


def test_fuzzed_posts_never_fail_and_never_store_half_an_answer(setup):
    q, questions, foreign = setup

    @given(bodies(questions, foreign))
    @example({"token": ["a"], "language": ["sv"], f"q_{questions['safe_after_dark'].pk}": ["1e309"]})
    @example({"token": ["a"], "language": ["sv"], f"q_{questions['avoided_place'].pk}_lat": ["NaN"],
              f"q_{questions['avoided_place'].pk}_lon": ["inf"]})
    def check(body):
        before = _snapshot()
        response = _post(q, body)
        assert response.status_code in (200, 302, 400), response.status_code
        after = _snapshot()
        if response.status_code != 302 or body.get("website", [""])[-1]:
            # Refused (or a bot fooled by the honeypot): nothing at all is stored.
            assert after == before
            return
        assert after[0] - before[0] in (0, 1)  # 0: the token was used already
        if after[0] == before[0] + 1:
            stored = Response.objects.latest("pk")
            assert stored.token == body["token"][-1].strip()
            answers = {a.question_id: a.value for a in stored.answers.all()}
            assert after[1] - before[1] == len(answers)
            assert set(answers) <= {x.pk for x in questions.values()}  # only this version's questions
            assert answers.get(questions["safe_after_dark"].pk) in (1, 2, 3, 4, 5)
            assert answers.get(questions["safe_daytime"].pk) in (1, 2, 3, 4, 5)
            if questions["avoided_place"].pk in answers:  # the conditional question only with its condition
                assert answers[questions["avoids_places"].pk] == "yes"

    check()


LIKERT = st.sampled_from(["1", "2", "3", "4", "5"])


@st.composite
def valid_answers(draw, questions):
    out = {"safe_after_dark": draw(LIKERT), "safe_daytime": draw(LIKERT)}
    if draw(st.booleans()):
        out["avoids_places"] = draw(st.sampled_from(["yes", "no"]))
        if out["avoids_places"] == "yes" and draw(st.booleans()):
            out["avoided_place"] = "parken"
    if draw(st.booleans()):
        out["problems"] = draw(st.lists(st.sampled_from(
            [o["value"] for o in questions["problems"].options]), min_size=1, unique=True))
    if draw(st.booleans()):
        out["safer"] = draw(st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=200)).strip() or "ok"
    return out


def test_valid_answers_are_stored_exactly_once(setup):
    q, questions, _foreign = setup
    counter = iter(range(10**6))

    @given(valid_answers(questions))
    def check(answers):
        token = f"tok-{next(counter)}"
        body = {"token": token, "language": "sv", "send_anyway": "on"}
        for key, value in answers.items():
            body[f"q_{questions[key].pk}"] = value
        before = _snapshot()
        assert _post(q, body).status_code == 302
        assert _post(q, body).status_code == 200  # the same answer sent twice (double click, back button)
        assert _snapshot()[0] == before[0] + 1
        stored = Response.objects.get(token=token)
        values = {a.question.key: a.value for a in stored.answers.select_related("question")}
        expected = {k: (int(v) if questions[k].kind == "likert" else {"place": v} if k == "avoided_place" else v)
                    for k, v in answers.items()}
        assert values == expected

    check()
