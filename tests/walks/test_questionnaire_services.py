"""Questionnaire services: default template, versioning (copy-on-write), status, option lines, poster."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from samtrygg.walks import questionnaires as svc
from samtrygg.walks.defaults import DEFAULT_QUESTIONS
from samtrygg.walks.forms_answer import AnswerForm
from samtrygg.walks.models import Answer, AnswerRateBucket, Question, Questionnaire, Response

pytestmark = pytest.mark.django_db


def make_q(user=None, **kw):
    q = svc.create_questionnaire(user, title="Trygghet i Centrum", slug=kw.pop("slug", "centrum-2026"), **kw)
    q.is_open = True
    q.save()
    return q


def answer(q, data, token="tok-1", lang="sv"):
    version = svc.current_version(q)
    by_key = {x.key: x for x in version.questions.all()}
    post = {"token": token, "language": lang}
    for key, value in data.items():
        post[f"q_{by_key[key].pk}"] = value
    form = AnswerForm(post, version=version, language=lang, area=q.area)
    assert form.is_valid(), form.errors
    return svc.store_response(form)


def test_default_template_has_the_typical_questions():
    q = make_q()
    version = svc.current_version(q)
    keys = list(version.questions.values_list("key", flat=True))
    assert keys == [d["key"] for d in DEFAULT_QUESTIONS]
    dark = version.questions.get(key="safe_after_dark")
    assert dark.kind == "likert" and dark.measures_safety and dark.text_en
    problems = version.questions.get(key="problems")
    assert {"klotter", "belysning", "narkotika"} <= {o["value"] for o in problems.options}
    assert version.questions.get(key="avoided_place").condition == {"key": "avoids_places", "values": ["yes"]}
    # Every question has an English text; nothing asks for a name.
    assert all(x.text_en for x in version.questions.all())
    assert not any("namn" in x.text_sv.lower() for x in version.questions.all())


def test_empty_questionnaire():
    q = svc.create_questionnaire(None, title="Tom", slug="tom", from_template=False)
    assert svc.current_version(q).questions.count() == 0


def test_editing_without_answers_changes_the_version_in_place():
    q = make_q()
    v1 = svc.current_version(q)
    rows = svc.question_rows(v1)[:2]
    v = svc.save_questions(q, rows)
    assert v.pk == v1.pk and v.questions.count() == 2


def test_editing_a_version_with_answers_creates_version_two_and_answers_stay():
    q = make_q()
    v1 = svc.current_version(q)
    answer(q, {"safe_after_dark": "4", "safe_daytime": "5"})
    rows = svc.question_rows(v1)
    rows[0]["text_sv"] = "Hur trygg känner du dig på kvällen?"
    v2 = svc.save_questions(q, rows)
    assert v2.number == 2 and v2.pk != v1.pk
    assert v1.questions.get(key="safe_after_dark").text_sv.startswith("Hur trygg känner du dig i området")
    assert v2.questions.get(key="safe_after_dark").text_sv == "Hur trygg känner du dig på kvällen?"
    response = Response.objects.get()
    assert response.version == v1
    assert all(a.question.version_id == v1.pk for a in Answer.objects.all())
    # New answers go to v2.
    answer(q, {"safe_after_dark": "2", "safe_daytime": "3"}, token="tok-2")
    assert Response.objects.get(token="tok-2").version == v2


def test_status_open_closed_not_yet():
    q = make_q()
    now = timezone.now()
    assert svc.status(q, now) == "open"
    q.opens_at = now + timedelta(days=1)
    assert svc.status(q, now) == "not_yet"
    q.opens_at, q.closes_at = now - timedelta(days=2), now - timedelta(days=1)
    assert svc.status(q, now) == "closed"
    q.closes_at, q.is_open = None, False
    assert svc.status(q, now) == "closed"


def test_option_lines():
    opts = svc.parse_options("a|Ett|One\n\nb|Två\nc")
    assert opts == [{"value": "a", "label_sv": "Ett", "label_en": "One"},
                    {"value": "b", "label_sv": "Två", "label_en": ""},
                    {"value": "c", "label_sv": "c", "label_en": ""}]
    assert svc.parse_options(svc.options_text(opts)) == opts
    with pytest.raises(svc.OptionError, match="rad 2: värdet ”a” finns två gånger"):
        svc.parse_options("a|A\na|B")
    with pytest.raises(svc.OptionError, match="rad 1: skriv värde"):
        svc.parse_options("a|b|c|d")


def test_rate_limit_counts_per_client_and_stores_no_ip():
    now = timezone.now()
    for _ in range(3):
        assert not svc.rate_limited("10.1.2.3", limit=3, now=now)
    assert svc.rate_limited("10.1.2.3", limit=3, now=now)
    assert not svc.rate_limited("10.9.9.9", limit=3, now=now)
    keys = list(AnswerRateBucket.objects.values_list("key", flat=True))
    assert all("10." not in k for k in keys) and len(keys[0]) == 64
    # The next day the same address gets another key.
    assert svc.client_key("10.1.2.3", now) != svc.client_key("10.1.2.3", now + timedelta(days=1))


def test_no_ip_field_on_response_or_answer():
    for model in (Response, Answer, AnswerRateBucket, Questionnaire, Question):
        names = {f.name.lower() for f in model._meta.get_fields()}
        assert not any("ip" == n or "ip_" in n or "address" in n or "user_agent" in n for n in names), names


def test_poster_pdf_has_the_url(client, coordinator, settings):
    settings.SAMTRYGG_BASE_URL = "https://trygg.example.se"
    q = make_q()
    client.force_login(coordinator)
    resp = client.get(reverse("walks:poster", args=[q.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "https://trygg.example.se/svara/centrum-2026/" in text.replace("\n", "")


def test_qr_encodes_the_public_url(settings):
    import segno  # noqa: F401

    settings.SAMTRYGG_BASE_URL = "https://trygg.example.se"
    q = make_q()
    from samtrygg.walks.views_questionnaires import public_url, qr_svg_data_uri

    assert public_url(q) == "https://trygg.example.se/svara/centrum-2026/"
    assert qr_svg_data_uri(public_url(q)).startswith("data:image/svg+xml;base64,")
