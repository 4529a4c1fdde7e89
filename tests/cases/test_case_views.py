"""Place cases: opening, editing, status path, journal, cause analysis with hypotheses, measures with
photos, permissions and the audit log."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from samtrygg.actions.models import Action, ActionPhoto
from samtrygg.audit.models import AuditEntry
from samtrygg.cases import checklist
from samtrygg.cases.geometry import DrawnAreaError, parse_drawn_area
from samtrygg.cases.models import CauseAnalysis, Hypothesis, JournalEntry, PlaceCase
from tests.factories import PlaceFactory

PARK_POLYGON = {"type": "Polygon", "coordinates": [[[17.643, 59.866], [17.645, 59.866], [17.645, 59.867],
                                                    [17.643, 59.867], [17.643, 59.866]]]}


def _png(name="photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _case_post(**extra) -> dict:
    data = {"title": "Parken kvällstid", "place": "", "drawn_area": "", "problem": "Folksamlingar och stölder",
            "opened_on": "2026-01-05", "follow_up_on": "2026-06-01", "coordinator": "", "intervention_on": "",
            "control_area": "", "buffer_m": "400",
            "partners-TOTAL_FORMS": "0", "partners-INITIAL_FORMS": "0", "partners-MIN_NUM_FORMS": "0",
            "partners-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The assertions read English messages; the Swedish catalogue would otherwise translate them."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def place(db, area):
    return PlaceFactory(code="parken", name="Parken", area=area)


@pytest.fixture
def case(db, place, coordinator):
    return PlaceCase.objects.create(title="Parken", place=place, problem="Oro", opened_on=date(2026, 1, 5),
                                    coordinator=coordinator)


def test_coordinator_opens_a_case_for_a_place_with_a_partner(client, coordinator, place, org):
    client.force_login(coordinator)
    response = client.post(reverse("cases:create"), _case_post(**{
        "place": place.pk, "partners-TOTAL_FORMS": "1", "partners-0-organization": org.pk,
        "partners-0-role": "Platsägare", "partners-0-contact": "parkenheten@kommun.se"}))
    case = PlaceCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.place == place and case.status == PlaceCase.Status.OPENED and case.created_by == coordinator
    assert case.partners.get().contact == "parkenheten@kommun.se"
    assert CauseAnalysis.objects.filter(case=case).exists()
    entries = AuditEntry.objects.filter(object_type="cases.placecase", object_id=str(case.pk))
    assert {e.action for e in entries} == {"create", "update"}  # the case, then its partners
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert "Platsägare" in page.content.decode() and "parkenheten@kommun.se" in page.content.decode()


def test_a_drawn_polygon_instead_of_a_place(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("cases:create"), _case_post(drawn_area=json.dumps(PARK_POLYGON)))
    case = PlaceCase.objects.get()
    assert case.place is None and case.geometry_wgs84["type"] == "Polygon"
    assert 10_000 < case.shape.area < 15_000  # ≈ 112 m × 111 m in SWEREF 99 TM


@pytest.mark.parametrize(("post", "field", "text"), [
    ({}, "place", "Pick a registered place, or draw the area"),
    ({"drawn_area": "{not json"}, "drawn_area", "not valid GeoJSON"),
    ({"drawn_area": json.dumps({"type": "Point", "coordinates": [17, 59]})}, "drawn_area", "one polygon"),
    ({"drawn_area": json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [90, 0], [90, 80], [0, 0]]]})},
     "drawn_area", "too large"),
    ({"drawn_area": json.dumps(PARK_POLYGON), "follow_up_on": "2025-01-01"}, "follow_up_on", "on or after"),
])
def test_bad_case_input_names_the_field_and_saves_nothing(client, coordinator, post, field, text):
    client.force_login(coordinator)
    response = client.post(reverse("cases:create"), _case_post(**post))
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors[field])
    assert not PlaceCase.objects.exists()


def test_place_and_drawing_together_is_refused(client, coordinator, place):
    client.force_login(coordinator)
    response = client.post(reverse("cases:create"), _case_post(place=place.pk, drawn_area=json.dumps(PARK_POLYGON)))
    assert "not both" in " ".join(response.context["form"].errors["drawn_area"])


def test_parse_drawn_area_rejects_a_self_crossing_outline():
    bowtie = {"type": "Polygon", "coordinates": [[[17.64, 59.86], [17.65, 59.87], [17.65, 59.86],
                                                  [17.64, 59.87], [17.64, 59.86]]]}
    with pytest.raises(DrawnAreaError) as exc:
        parse_drawn_area(json.dumps(bowtie))
    assert exc.value.code == "self_crossing"


def test_edit_logs_the_changed_fields(client, coordinator, case):
    client.force_login(coordinator)
    response = client.post(reverse("cases:edit", args=[case.pk]), _case_post(
        place=case.place_id, title="Parken på kvällen", coordinator=coordinator.pk))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Parken på kvällen"
    entry = AuditEntry.objects.filter(object_type="cases.placecase", action="update").latest("id")
    assert entry.changes["title"] == ["Parken", "Parken på kvällen"]


def test_status_moves_one_step_at_a_time(client, coordinator, case):
    client.force_login(coordinator)
    url = reverse("cases:detail", args=[case.pk])
    client.post(url, {"status": "closed"})  # skipping steps is refused
    case.refresh_from_db()
    assert case.status == "opened"
    for step in ("analysed", "measures", "follow_up", "closed"):
        client.post(url, {"status": step})
        case.refresh_from_db()
        assert case.status == step
    assert case.closed_on is not None
    client.post(url, {"status": "follow_up"})
    case.refresh_from_db()
    assert case.status == "follow_up" and case.closed_on is None
    changes = [e.changes.get("status") for e in AuditEntry.objects.filter(object_type="cases.placecase")]
    assert ["measures", "follow_up"] in changes


def test_journal_entry_and_its_errors(client, coordinator, case):
    client.force_login(coordinator)
    url = reverse("cases:journal", args=[case.pk])
    bad = client.post(url, {"happened_on": "", "kind": "meeting", "text": ""})
    assert bad.status_code == 200 and not JournalEntry.objects.exists()
    assert bad.context["journal_form"].errors["text"]
    client.post(url, {"happened_on": "2026-01-10", "kind": "decision", "text": "Beslut: ny belysning"})
    entry = JournalEntry.objects.get()
    assert entry.kind == "decision" and entry.created_by == coordinator
    assert AuditEntry.objects.filter(object_type="cases.journalentry", object_id=str(entry.pk)).exists()
    assert "Beslut: ny belysning" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def _analysis_post(**extra) -> dict:
    data = {"offenders": "Grupper av unga fredag–lördag kväll", "handlers": "Fältassistenter",
            "targets": "Besökare, cyklar", "guardians": "Parkpersonal", "place_features": "Mörka hörn",
            "managers": "Parkenheten", "conclusions": "Belysning och beskärning",
            "check_lighting": "problem", "note_lighting": "Tre trasiga lampor",
            "check_opening_hours": "ok", "note_opening_hours": "",
            "hyp-TOTAL_FORMS": "1", "hyp-INITIAL_FORMS": "0", "hyp-MIN_NUM_FORMS": "0", "hyp-MAX_NUM_FORMS": "1000",
            "hyp-0-text": "Mörkret gör att grupper samlas", "hyp-0-evidence": "Anmälningar efter kl. 20",
            "hyp-0-data_link": "/reports/?place=1", "hyp-0-verdict": "supported"}
    data.update(extra)
    return data


def test_cause_analysis_with_checklist_and_hypotheses(client, coordinator, case):
    client.force_login(coordinator)
    url = reverse("cases:analysis", args=[case.pk])
    page = client.get(url)
    assert "fältassistenter" in page.content.decode()  # the help texts guide a first-time coordinator
    response = client.post(url, _analysis_post())
    assert response.status_code == 302
    analysis = CauseAnalysis.objects.get(case=case)
    assert analysis.offenders.startswith("Grupper") and analysis.managers == "Parkenheten"
    assert analysis.checklist == {checklist.LIGHTING: {"status": "problem", "note": "Tre trasiga lampor"},
                                  checklist.OPENING_HOURS: {"status": "ok", "note": ""}}
    hypothesis = Hypothesis.objects.get(case=case)
    assert hypothesis.verdict == "supported" and hypothesis.data_link == "/reports/?place=1"
    entry = AuditEntry.objects.get(object_type="cases.causeanalysis")
    assert entry.changes["checklist.lighting"] == [None, "problem: Tre trasiga lampor"]
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Tre trasiga lampor" in detail and "Mörkret gör att grupper samlas" in detail

    # Edit the hypothesis and remove it again through the formset.
    edit = _analysis_post(**{"hyp-INITIAL_FORMS": "1", "hyp-0-id": hypothesis.pk, "hyp-0-verdict": "weakened"})
    client.post(url, edit)
    hypothesis.refresh_from_db()
    assert hypothesis.verdict == "weakened"
    client.post(url, {**edit, "hyp-0-DELETE": "on"})
    assert not Hypothesis.objects.exists()


def test_a_hypothesis_link_to_another_site_is_refused(client, coordinator, case):
    client.force_login(coordinator)
    response = client.post(reverse("cases:analysis", args=[case.pk]),
                           _analysis_post(**{"hyp-0-data_link": "https://evil.example/"}))
    assert response.status_code == 200
    assert response.context["hypotheses"].forms[0].errors["data_link"]
    assert not Hypothesis.objects.exists() and CauseAnalysis.objects.get(case=case).offenders == ""


def _measure_post(org, **extra) -> dict:
    data = {"title": "Ny belysning", "description": "", "area": "", "place": "", "responsible": org.pk,
            "start_date": "2026-02-01", "end_date": "2026-03-01", "status": "ongoing", "cost": "85000",
            "follow_up": ""}
    data.update(extra)
    return data


def test_measure_with_photos_before_and_after(client, coordinator, case, org):
    client.force_login(coordinator)
    page = client.get(reverse("cases:measure_create", args=[case.pk]))
    assert page.context["form"].initial["place"] == case.place_id  # prefilled from the case
    response = client.post(reverse("cases:measure_create", args=[case.pk]), {
        **_measure_post(org, place=case.place_id), "photos_before": [_png("fore.png"), _png("fore2.png")],
        "photos_after": [_png("efter.png")]})
    assert response.status_code == 302
    measure = Action.objects.get()
    assert measure.case == case and measure.kind == Action.Kind.LONG_TERM and str(measure.cost) == "85000.00"
    assert sorted(measure.photos.values_list("when", flat=True)) == ["after", "before", "before"]
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Ny belysning" in detail
    action_page = client.get(reverse("actions:detail", args=[measure.pk])).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in action_page
    photo = measure.photos.first()
    served = client.get(reverse("actions:photo", args=[measure.pk, photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert AuditEntry.objects.filter(object_type="actions.action", summary__contains="photos").exists()


def test_bad_photo_is_refused_by_name_and_nothing_is_saved(client, coordinator, case, org, settings):
    client.force_login(coordinator)
    response = client.post(reverse("cases:measure_create", args=[case.pk]), {
        **_measure_post(org), "photos_before": [SimpleUploadedFile("notes.png", b"not an image")]})
    assert response.status_code == 200
    assert "notes.png" in " ".join(response.context["form"].errors["photos_before"])
    settings.SAMTRYGG_MAX_PHOTO_BYTES = 10
    response = client.post(reverse("cases:measure_create", args=[case.pk]), {
        **_measure_post(org), "photos_after": [_png("big.png")]})
    assert "too large" in " ".join(response.context["form"].errors["photos_after"])
    assert not Action.objects.exists() and not ActionPhoto.objects.exists()


def test_photo_upload_on_the_action_page(client, coordinator, case, org):
    client.force_login(coordinator)
    measure = Action.objects.create(title="Beskärning", responsible=org, start_date=date(2026, 2, 1), case=case,
                                    kind=Action.Kind.LONG_TERM)
    url = reverse("actions:photo_add", args=[measure.pk])
    client.post(url, {"photos": [_png()], "when": "after", "caption": "Efter beskärning"})
    assert measure.photos.get().caption == "Efter beskärning"
    response = client.post(url, {"photos": [SimpleUploadedFile("x.jpg", b"nope")], "when": "after"}, follow=True)
    assert "x.jpg" in response.content.decode() and measure.photos.count() == 1


def test_photos_need_a_login(client, case, org):
    measure = Action.objects.create(title="B", responsible=org, start_date=date(2026, 2, 1), case=case)
    photo = ActionPhoto.objects.create(action=measure, image=_png())
    response = client.get(reverse("actions:photo", args=[measure.pk, photo.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst"])
def test_readers_cannot_change_a_case(client, user_factory, case, role):
    client.force_login(user_factory(role))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.post(reverse("cases:detail", args=[case.pk]), {"status": "analysed"}).status_code == 403
    assert client.post(reverse("cases:journal", args=[case.pk]), {"text": "x"}).status_code == 403
    assert client.get(reverse("cases:analysis", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.status == "opened" and not JournalEntry.objects.exists()


def test_list_filters_by_status_and_marks_overdue_follow_ups(client, coordinator, place):
    today = date.today()
    late = PlaceCase.objects.create(title="Sen uppföljning", place=place, problem="x", opened_on=today,
                                    follow_up_on=today - timedelta(days=3))
    PlaceCase.objects.create(title="Stängt ärende", place=place, problem="x", opened_on=today, status="closed",
                             follow_up_on=today - timedelta(days=3))
    client.force_login(coordinator)
    response = client.get(reverse("cases:list"))
    rows = {r["case"].title: r["overdue"] for r in response.context["rows"]}
    assert rows == {"Sen uppföljning": True, "Stängt ärende": False}
    assert "Follow-up overdue" in response.content.decode()
    open_only = client.get(reverse("cases:list"), {"status": "open"})
    assert [r["case"].pk for r in open_only.context["rows"]] == [late.pk]
    closed = client.get(reverse("cases:list"), {"status": "closed"})
    assert [r["case"].title for r in closed.context["rows"]] == ["Stängt ärende"]


def test_journal_text_with_personal_data_is_saved_only_after_save_anyway(client, coordinator, case):
    from samtrygg.privacy.forms import digest

    client.force_login(coordinator)
    url = reverse("cases:journal", args=[case.pk])
    text = "Ring vaktmästaren Kalle på 070-123 45 67."
    first = client.post(url, {"happened_on": "2026-01-10", "kind": "note", "text": text})
    assert first.status_code == 200 and not JournalEntry.objects.exists()
    html = first.content.decode()
    assert 'name="text__save_anyway"' in html and "phone number" in html
    client.post(url, {"happened_on": "2026-01-10", "kind": "note", "text": text, "text__save_anyway": digest(text)})
    assert JournalEntry.objects.get().text == text
