"""The builder pages: list, create, edit questions (formset, copy-on-write), settings."""

import pytest
from django.urls import reverse

from samtrygg.walks import questionnaires as svc
from samtrygg.walks.models import Questionnaire, Response

pytestmark = pytest.mark.django_db


def formset_data(rows, extra_blank=True):
    data = {"form-TOTAL_FORMS": str(len(rows) + (1 if extra_blank else 0)), "form-INITIAL_FORMS": str(len(rows)),
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for k, v in row.items():
            if v is True:
                v = "on"
            elif v is False:
                continue
            data[f"form-{i}-{k}"] = v
    return data


def test_create_from_template_and_empty(client, coordinator):
    client.force_login(coordinator)
    r = client.post(reverse("walks:questionnaire_create"),
                    {"title": "Centrum 2026", "slug": "centrum-2026", "from_template": "on", "is_open": "on"})
    assert r.status_code == 302
    q = Questionnaire.objects.get(slug="centrum-2026")
    assert q.is_open and svc.current_version(q).questions.count() >= 9
    r = client.post(reverse("walks:questionnaire_create"), {"title": "Tom", "slug": "tom"})
    assert svc.current_version(Questionnaire.objects.get(slug="tom")).questions.count() == 0
    page = client.get(reverse("walks:questionnaires")).content.decode()
    assert "Centrum 2026" in page and "Tom" in page


def test_create_refuses_bad_dates_and_duplicate_slug(client, coordinator):
    client.force_login(coordinator)
    svc.create_questionnaire(None, title="A", slug="a")
    r = client.post(reverse("walks:questionnaire_create"),
                    {"title": "B", "slug": "a", "opens_at": "2026-05-02T10:00", "closes_at": "2026-05-01T10:00"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Stängningstiden måste vara efter" in page
    assert Questionnaire.objects.count() == 1


def test_edit_questions_with_reorder_condition_and_copy_on_write(client, coordinator):
    client.force_login(coordinator)
    q = svc.create_questionnaire(None, title="Q", slug="q", from_template=False)
    rows = [
        {"key": "avoid", "kind": "single", "text_sv": "Undviker du platser?", "options": "yes|Ja|Yes\nno|Nej|No",
         "ORDER": "2"},
        {"key": "dark", "kind": "likert", "text_sv": "Trygg efter mörkret?", "options": "1|Otrygg\n5|Trygg",
         "required": True, "measures_safety": True, "ORDER": "1"},
        {"key": "where", "kind": "map_point", "text_sv": "Var?", "condition_key": "avoid",
         "condition_values": "yes", "ORDER": "3"},
    ]
    r = client.post(reverse("walks:questionnaire_edit", args=[q.pk]), formset_data(rows))
    assert r.status_code == 302, r.content.decode()[:3000]
    v1 = svc.current_version(q)
    assert list(v1.questions.values_list("key", flat=True)) == ["dark", "avoid", "where"]
    assert v1.questions.get(key="where").condition == {"key": "avoid", "values": ["yes"]}
    assert v1.questions.get(key="avoid").options[0] == {"value": "yes", "label_sv": "Ja", "label_en": "Yes"}
    Response.objects.create(version=v1, token="x")
    page = client.get(reverse("walks:questionnaire_edit", args=[q.pk])).content.decode()
    assert "När du sparar skapas en ny version" in page
    rows[0]["text_sv"] = "Undviker du några platser?"
    client.post(reverse("walks:questionnaire_edit", args=[q.pk]), formset_data(rows))
    v2 = svc.current_version(q)
    assert v2.number == 2 and v1.questions.get(key="avoid").text_sv == "Undviker du platser?"
    assert v2.questions.get(key="avoid").text_sv == "Undviker du några platser?"


@pytest.mark.parametrize(("change", "message"), [
    ({"options": ""}, "behöver minst ett alternativ"),
    ({"options": "a|A\na|B"}, "finns två gånger"),
    ({"condition_key": "later"}, "tidigare fråga"),
])
def test_edit_refuses_bad_questions(client, coordinator, change, message):
    client.force_login(coordinator)
    q = svc.create_questionnaire(None, title="Q", slug="q", from_template=False)
    rows = [{"key": "avoid", "kind": "single", "text_sv": "Undviker du platser?", "options": "yes|Ja", **change}]
    r = client.post(reverse("walks:questionnaire_edit", args=[q.pk]), formset_data(rows))
    assert r.status_code == 200 and message in r.content.decode()
    assert svc.current_version(q).questions.count() == 0


def test_duplicate_keys_refused(client, coordinator):
    client.force_login(coordinator)
    q = svc.create_questionnaire(None, title="Q", slug="q", from_template=False)
    row = {"key": "k", "kind": "text", "text_sv": "Fritext"}
    r = client.post(reverse("walks:questionnaire_edit", args=[q.pk]), formset_data([row, dict(row)]))
    assert r.status_code == 200 and "Två frågor har nyckeln" in r.content.decode()


def test_only_coordinators_and_admins_build(client, user_factory):
    q = svc.create_questionnaire(None, title="Q", slug="q")
    for role in ("viewer", "reporter", "analyst"):
        client.force_login(user_factory(role, username=f"u-{role}"))
        assert client.get(reverse("walks:questionnaire_edit", args=[q.pk])).status_code == 403
        assert client.get(reverse("walks:poster", args=[q.pk])).status_code == 403


def test_detail_settings_open_close(client, coordinator):
    client.force_login(coordinator)
    q = svc.create_questionnaire(None, title="Q", slug="q")
    r = client.post(reverse("walks:questionnaire_detail", args=[q.pk]),
                    {"title": "Q", "slug": "q", "is_open": "on", "closes_at": "2099-06-01T12:00"})
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.is_open and q.closes_at.year == 2099
    page = client.get(reverse("walks:questionnaire_detail", args=[q.pk])).content.decode()
    assert "/svara/q/" in page and "poster.pdf" in page


def test_edit_post_without_the_formset_is_a_form_error_not_a_500(client, coordinator):
    """A post without the management form (a truncated or scripted request) gave a 500: the formset's own
    check read ordered_forms, which raises once the management form is missing (found by the permission
    matrix posting empty forms)."""
    q = svc.create_questionnaire(None, title="Q", slug="q", from_template=False)
    client.force_login(coordinator)
    response = client.post(reverse("walks:questionnaire_edit", args=[q.pk]), {})
    assert response.status_code in (200, 400)
