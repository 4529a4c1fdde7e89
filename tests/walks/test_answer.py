"""Public answering: validation per kind, conditions, token replay, closed, other version, huge text,
rate limit, honeypot, personal data warning, language; and the staff's paper entry."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samtrygg.walks import questionnaires as svc
from samtrygg.walks.models import Answer, Response
from tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def q(area):
    q = svc.create_questionnaire(None, title="Trygghet i Centrum", slug="centrum", area=area)
    q.is_open = True
    q.save()
    return q


def fields(q):
    return {x.key: f"q_{x.pk}" for x in svc.current_version(q).questions.all()}


def post(client, q, data, token="t-1", lang="sv", **extra):
    f = fields(q)
    body = {"token": token, "language": lang, **extra}
    for key, value in data.items():
        body[f[key]] = value
    return client.post(reverse("public:answer", args=[q.slug]), body)


def test_get_shows_every_question_in_swedish_and_english(client, q):
    page = client.get(reverse("public:answer", args=[q.slug])).content.decode()
    assert "Hur trygg känner du dig i området när det är mörkt ute?" in page
    assert 'name="token"' in page and 'name="website"' in page
    page_en = client.get(reverse("public:answer", args=[q.slug]) + "?lang=en").content.decode()
    assert "How safe do you feel in the area after dark?" in page_en
    assert 'lang="en"' in page_en and "Send my answer" in page_en


def test_valid_answer_is_stored_with_every_kind(client, q):
    place = PlaceFactory(code="parken", name="Parken", area=q.area)
    r = post(client, q, {"safe_after_dark": "2", "safe_daytime": "4", "avoids_places": "yes",
                         "avoided_place": place.code, "problems": ["klotter", "belysning"],
                         "safer": "Bättre belysning vid busshållplatsen", "age_band": "30-49"})
    assert r.status_code == 302 and "/tack/" in r["Location"]
    response = Response.objects.get()
    assert response.channel == "web" and response.language == "sv" and response.entered_by is None
    values = {a.question.key: a.value for a in response.answers.select_related("question")}
    assert values["safe_after_dark"] == 2
    assert values["problems"] == ["klotter", "belysning"]
    assert values["avoided_place"] == {"place": "parken"}
    assert values["safer"].startswith("Bättre")


def test_map_point_by_coordinates(client, q):
    f = fields(q)
    r = post(client, q, {"safe_after_dark": "3", "safe_daytime": "3", "avoids_places": "yes"},
             **{f["avoided_place"] + "_lat": "59.85", f["avoided_place"] + "_lon": "17.63"})
    assert r.status_code == 302
    assert Answer.objects.get(question__key="avoided_place").value == {"lat": 59.85, "lon": 17.63}


def test_required_questions_give_clear_messages(client, q):
    r = post(client, q, {"safe_daytime": "3"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Svara på frågan." in page
    assert 'aria-describedby' in page
    assert Response.objects.count() == 0


@pytest.mark.parametrize(("key", "value"), [("safe_after_dark", "9"), ("avoids_places", "maybe"),
                                            ("problems", ["klotter", "hacked"]), ("avoided_place", "nowhere")])
def test_bad_choice_values_are_rejected(client, q, key, value):
    data = {"safe_after_dark": "3", "safe_daytime": "3", "avoids_places": "yes", key: value}
    r = post(client, q, data)
    assert r.status_code == 200 and Response.objects.count() == 0


def test_conditional_question_ignored_when_condition_not_met(client, q):
    place = PlaceFactory(code="torget", name="Torget", area=q.area)
    r = post(client, q, {"safe_after_dark": "3", "safe_daytime": "3", "avoids_places": "no",
                         "avoided_place": place.code})
    assert r.status_code == 302
    assert not Answer.objects.filter(question__key="avoided_place").exists()


def test_conditional_required_question_only_required_when_shown(client, q):
    version = svc.current_version(q)
    version.questions.filter(key="avoided_place").update(required=True)
    assert post(client, q, {"safe_after_dark": "3", "safe_daytime": "3", "avoids_places": "no"}).status_code == 302
    r = post(client, q, {"safe_after_dark": "3", "safe_daytime": "3", "avoids_places": "yes"}, token="t-2")
    assert r.status_code == 200 and Response.objects.count() == 1


def test_token_replay_stores_nothing_and_says_so(client, q):
    data = {"safe_after_dark": "3", "safe_daytime": "3"}
    assert post(client, q, data).status_code == 302
    again = post(client, q, data)
    assert again.status_code == 200
    assert "det sparades inte två gånger" in again.content.decode()
    assert Response.objects.count() == 1 and Answer.objects.count() == 2


def test_closed_and_not_yet_open(client, q):
    q.is_open = False
    q.save()
    page = client.get(reverse("public:answer", args=[q.slug]) + "?lang=en").content.decode()
    assert "closed" in page and 'name="token"' not in page
    assert post(client, q, {"safe_after_dark": "3", "safe_daytime": "3"}).status_code == 403
    q.is_open, q.opens_at = True, timezone.now() + timedelta(days=3)
    q.save()
    page = client.get(reverse("public:answer", args=[q.slug]) + "?lang=en").content.decode()
    assert "not open yet" in page
    assert Response.objects.count() == 0


def test_answer_to_a_question_of_another_version_is_rejected(client, q):
    old_fields = fields(q)
    svc.create_questionnaire(None, title="Annan", slug="annan")  # unrelated
    # Make v1 frozen and create v2.
    post(client, q, {"safe_after_dark": "3", "safe_daytime": "3"}, token="first")
    svc.save_questions(q, svc.question_rows(svc.current_version(q)))
    body = {"token": "second", "language": "sv", old_fields["safe_after_dark"]: "1",
            old_fields["safe_daytime"]: "1"}
    r = client.post(reverse("public:answer", args=[q.slug]), body)
    assert r.status_code == 400
    assert Response.objects.count() == 1


def test_huge_text_is_refused_with_a_message(client, q):
    r = post(client, q, {"safe_after_dark": "3", "safe_daytime": "3", "safer": "a" * 2001}, lang="en")
    assert r.status_code == 200
    assert "too long" in r.content.decode()
    assert Response.objects.count() == 0


def test_personal_data_warns_and_may_still_be_sent(client, q):
    data = {"safe_after_dark": "3", "safe_daytime": "3", "safer": "Ring mig på 070-123 45 67"}
    r = post(client, q, data, lang="en")
    assert r.status_code == 200 and "personal data" in r.content.decode()
    assert Response.objects.count() == 0
    r = post(client, q, data, lang="en", send_anyway="on")
    assert r.status_code == 302 and Response.objects.count() == 1


def test_honeypot_stores_nothing(client, q):
    r = post(client, q, {"safe_after_dark": "3", "safe_daytime": "3"}, website="http://spam.example")
    assert r.status_code == 302
    assert Response.objects.count() == 0


def test_rate_limit_gives_a_polite_429(client, q, monkeypatch):
    monkeypatch.setattr(svc, "RATE_LIMIT_PER_HOUR", 2)
    for i in range(2):
        assert post(client, q, {"safe_after_dark": "3", "safe_daytime": "3"}, token=f"t{i}").status_code == 302
    r = post(client, q, {"safe_after_dark": "3", "safe_daytime": "3"}, token="t9", lang="en")
    assert r.status_code == 429 and "wait" in r.content.decode()
    assert Response.objects.count() == 2


def test_stored_rows_hold_no_ip(client, q):
    post(client, q, {"safe_after_dark": "3", "safe_daytime": "3"})  # the test client is 127.0.0.1
    assert Response.objects.count() == 1
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("walks_response", "walks_answer", "walks_answerratebucket"):
            cur.execute(f"SELECT * FROM {table}")  # noqa: S608
            assert "127.0.0.1" not in repr(cur.fetchall())


def test_paper_entry(client, q, reporter, user_factory):
    f = fields(q)
    url = reverse("walks:paper_entry", args=[q.pk])
    client.force_login(reporter)
    page = client.get(url).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    r = client.post(url, {"token": token, "language": "sv", f["safe_after_dark"]: "5", f["safe_daytime"]: "5"})
    assert r.status_code == 200
    response = Response.objects.get()
    assert response.channel == "paper" and response.entered_by == reporter
    r = client.post(url, {"token": token, "language": "sv", f["safe_after_dark"]: "5", f["safe_daytime"]: "5"})
    assert Response.objects.count() == 1
    client.force_login(user_factory("viewer", username="las"))
    assert client.get(url).status_code == 403


def test_paper_entry_works_when_closed(client, q, coordinator):
    q.is_open = False
    q.save()
    f = fields(q)
    client.force_login(coordinator)
    client.post(reverse("walks:paper_entry", args=[q.pk]),
                {"token": "p1", "language": "sv", f["safe_after_dark"]: "1", f["safe_daytime"]: "2"})
    assert Response.objects.filter(channel="paper").count() == 1
