"""The safety walk record: walks with a route and participants, observations, and turning an observation
into a report, an action or evidence in a place case (each once, with an audit entry)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from samtrygg.actions.models import Action
from samtrygg.analysis import geo
from samtrygg.audit.models import AuditEntry
from samtrygg.cases.models import PlaceCase
from samtrygg.categories.models import Category
from samtrygg.reports.models import Report
from samtrygg.walks import services_walks as services
from samtrygg.walks.models import Observation, SafetyWalk, WalkParticipant
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, OrganizationFactory, PlaceFactory, square

LON0, LAT0 = (float(v) for v in geo.sweref_to_wgs84(CENTRE_X, CENTRE_Y))
ROUTE = {"type": "LineString", "coordinates": [[LON0, LAT0], [LON0 + 0.002, LAT0 + 0.001]]}


def _png(name="obs.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _walk_post(area, org, **over):
    data = {
        "title": "Kvällsvandring", "walked_on": "2026-03-10", "area": area.pk, "residents": "12",
        "notes": "Start vid skolan.", "questionnaire": "", "route": json.dumps(ROUTE),
        "part-TOTAL_FORMS": "3", "part-INITIAL_FORMS": "0", "part-MIN_NUM_FORMS": "0", "part-MAX_NUM_FORMS": "30",
        "part-0-organization": org.pk, "part-0-people": "3",
    }
    data.update(over)
    return data


@pytest.fixture
def walk(db, area, coordinator):
    return SafetyWalk.objects.create(title="Vandring i Centrum", area=area, walked_on=dt.date(2026, 3, 10),
                                     route=ROUTE, residents=9, created_by=coordinator)


def _obs(walk, code="belysning", comment="Lampan trasig", **kw):
    return Observation.objects.create(walk=walk, lat=LAT0, lon=LON0, category=Category.objects.get(code=code),
                                      comment=comment, **kw)


# ---- route validation -------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "fragment"), [
    ("not json", "inte giltig GeoJSON"),
    ({"type": "Polygon", "coordinates": []}, "LineString"),
    ({"type": "LineString", "coordinates": [[17.6, 59.8]]}, "minst två punkter"),
    ({"type": "LineString", "coordinates": [[17.6, 59.8], ["a", 59.8]]}, "Punkt 2"),
    ({"type": "LineString", "coordinates": [[17.6, 59.8], [17.6, 99.0]]}, "Punkt 2"),
    ({"type": "LineString", "coordinates": [[17.6, 59.8], [17.6, 59.8]]}, "Alla punkter i sträckningen är likadana"),
    ({"type": "LineString", "coordinates": [[17.6, 59.8]] * 1001}, "högst 1000"),
])
def test_bad_routes_are_refused_with_a_reason(value, fragment):
    with pytest.raises(services.RouteError, match=fragment):
        services.parse_route(value)


def test_a_route_is_normalised():
    assert services.parse_route("") is None
    out = services.parse_route(json.dumps({"type": "LineString", "coordinates": [[17.61234567891, 59.8, 3],
                                                                                 [17.62, 59.81]]}))
    assert out == {"type": "LineString", "coordinates": [[17.6123457, 59.8], [17.62, 59.81]]}


# ---- create / edit / list ---------------------------------------------------------------------------

def test_coordinator_records_a_walk_with_route_and_participants(client, coordinator, area, org):
    police = OrganizationFactory(code="pol", name="Polisen")
    client.force_login(coordinator)
    response = client.post(reverse("walks:create"), _walk_post(
        area, org, **{"part-1-organization": police.pk, "part-1-people": "1"}))
    walk = SafetyWalk.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("walks:detail", args=[walk.pk])
    assert walk.route["type"] == "LineString" and len(walk.route["coordinates"]) == 2
    assert walk.residents == 12 and walk.created_by == coordinator
    assert {(p.organization.code, p.people) for p in walk.participants.all()} == {("kommunen", 3), ("pol", 1)}
    entry = AuditEntry.objects.get(object_type="walks.safetywalk", action="create")
    assert "kommunen×3" in entry.changes["participants"][1]
    services.add_observation(coordinator, walk, lat=LAT0, lon=LON0, category=Category.objects.get(code="klotter"))
    services.add_observation(coordinator, walk, lat=LAT0, lon=LON0, category=Category.objects.get(code="brand"))
    response = client.get(reverse("walks:list"))
    assert "Kvällsvandring" in response.content.decode()
    assert reverse("walks:detail", args=[walk.pk]) in response.content.decode()
    row = response.context["walks"][0]
    assert (row.n_people, row.n_observations) == (4, 2)  # 3 + 1 people, not multiplied by observations


def test_edit_changes_the_walk_and_logs_it(client, coordinator, walk, org):
    client.force_login(coordinator)
    WalkParticipant.objects.create(walk=walk, organization=org, people=2)
    part = walk.participants.get()
    data = _walk_post(walk.area, org, title="Ny titel", **{
        "part-INITIAL_FORMS": "1", "part-0-id": part.pk, "part-0-people": "5", "part-0-walk": walk.pk})
    response = client.post(reverse("walks:edit", args=[walk.pk]), data)
    assert response.status_code == 302
    walk.refresh_from_db()
    assert walk.title == "Ny titel" and walk.participants.get().people == 5
    entry = AuditEntry.objects.get(object_type="walks.safetywalk", action="update")
    assert entry.changes["title"] == ["Vandring i Centrum", "Ny titel"]


@pytest.mark.parametrize(("over", "field", "fragment"), [
    ({"route": '{"type": "Point", "coordinates": [17, 59]}'}, "route", "LineString"),
    ({"walked_on": "2999-01-01"}, "walked_on", "framtiden"),
    ({"residents": "-3"}, "residents", ""),
    ({"title": ""}, "title", ""),
])
def test_bad_walk_input_is_refused_and_nothing_saved(client, coordinator, area, org, over, field, fragment):
    client.force_login(coordinator)
    response = client.post(reverse("walks:create"), _walk_post(area, org, **over))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and fragment in " ".join(errors[field])
    assert not SafetyWalk.objects.exists() and not WalkParticipant.objects.exists()


def test_participants_are_organisations_and_numbers_never_names(client, coordinator, area, org):
    client.force_login(coordinator)
    page = client.get(reverse("walks:create")).content.decode()
    assert 'name="part-0-organization"' in page and 'name="part-0-people"' in page
    assert "name" not in {f for f in WalkParticipant._meta.get_fields() if f.concrete} and not any(
        f.name in ("name", "first_name", "person") for f in WalkParticipant._meta.get_fields())
    # The same organisation twice is refused with a message.
    response = client.post(reverse("walks:create"), _walk_post(
        area, org, **{"part-1-organization": org.pk, "part-1-people": "2"}))
    assert response.status_code == 200 and "finns med två gånger" in response.content.decode()
    assert not SafetyWalk.objects.exists()


# ---- observations -----------------------------------------------------------------------------------

def _obs_post(**over):
    data = {"obs-lat": f"{LAT0:.6f}", "obs-lon": f"{LON0:.6f}",
            "obs-category": Category.objects.get(code="klotter").pk, "obs-comment": "Klotter på elskåpet"}
    data.update(over)
    return data


def test_reporter_adds_an_observation_with_a_photo(client, reporter, walk):
    client.force_login(reporter)
    response = client.post(reverse("walks:detail", args=[walk.pk]), _obs_post(**{"obs-photo": _png()}))
    assert response.status_code == 302
    obs = walk.observations.get()
    assert obs.category.code == "klotter" and abs(obs.lat - LAT0) < 1e-5 and obs.photo.name.endswith(".png")
    assert AuditEntry.objects.filter(object_type="walks.observation", action="create").count() == 1
    photo = client.get(reverse("walks:observation_photo", args=[walk.pk, obs.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    client.logout()
    assert client.get(reverse("walks:observation_photo", args=[walk.pk, obs.pk])).status_code == 302


def test_observation_with_personal_data_is_warned_about(client, coordinator, walk):
    client.force_login(coordinator)
    post = _obs_post(**{"obs-comment": "Ring 070-123 45 67 om bilen ABC 123"})
    response = client.post(reverse("walks:detail", args=[walk.pk]), post)
    assert response.status_code == 400 and not walk.observations.exists()
    page = response.content.decode()
    assert "Kommentaren verkar innehålla personuppgifter" in page and "pii-highlight" in page
    post["save_anyway"] = "on"  # the checkbox in the warning
    assert client.post(reverse("walks:detail", args=[walk.pk]), post).status_code == 302
    assert walk.observations.count() == 1


def test_bad_photo_is_refused(client, coordinator, walk):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("virus.jpg", b"MZ not an image", content_type="image/jpeg")
    response = client.post(reverse("walks:detail", args=[walk.pk]), _obs_post(**{"obs-photo": upload}))
    assert response.status_code == 400 and response.context["obs_form"].has_error("photo", "not_an_image")
    assert "virus.jpg" in response.content.decode()
    assert not walk.observations.exists()


def test_too_large_photo_is_refused(client, coordinator, walk, settings):
    settings.SAMTRYGG_MAX_PHOTO_BYTES = 10
    client.force_login(coordinator)
    response = client.post(reverse("walks:detail", args=[walk.pk]), _obs_post(**{"obs-photo": _png()}))
    assert response.status_code == 400 and response.context["obs_form"].has_error("photo", "photo_too_large")
    assert not walk.observations.exists()


@pytest.mark.parametrize(("over", "field", "code"), [
    ({"obs-lat": "", "obs-lon": ""}, "lat", "required"),
    ({"obs-lat": "10.0", "obs-lon": "10.0"}, "lat", "outside_areas"),
    ({"obs-lat": "91"}, "lat", "max_value"),
    ({"obs-category": "999999"}, "category", "invalid_choice"),
    ({"obs-comment": "x" * 5001}, "comment", "max_length"),
])
def test_bad_observation_input(client, coordinator, walk, over, field, code):
    client.force_login(coordinator)
    response = client.post(reverse("walks:detail", args=[walk.pk]), _obs_post(**over))
    assert response.status_code == 400 and response.context["obs_form"].has_error(field, code)
    assert 'role="alert"' in response.content.decode()
    assert not walk.observations.exists()


def test_inactive_category_cannot_be_chosen(client, coordinator, walk):
    Category.objects.filter(code="klotter").update(is_active=False)
    client.force_login(coordinator)
    response = client.post(reverse("walks:detail", args=[walk.pk]), _obs_post())
    assert response.status_code == 400 and not walk.observations.exists()


# ---- conversions ------------------------------------------------------------------------------------

def _convert(client, walk, obs, **data):
    return client.post(reverse("walks:convert_observation", args=[walk.pk, obs.pk]),
                       {f"c{obs.pk}-{k}": v for k, v in data.items()})


def test_observation_becomes_a_report_once(client, coordinator, walk):
    other = AreaFactory(code="annat", name="Annat", geometry=square(CENTRE_X + 5000, CENTRE_Y, 1000))
    obs = _obs(walk, photo=_png())
    client.force_login(coordinator)
    assert _convert(client, walk, obs, to="report").status_code == 302
    obs.refresh_from_db()
    report = Report.objects.get()
    assert obs.report == report
    assert report.category.code == "belysning" and report.description == "Lampan trasig"
    assert abs(report.lat - LAT0) < 1e-9 and abs(report.lon - LON0) < 1e-9 and report.source == "web"
    assert list(report.areas.values_list("code", flat=True)) == ["centrum"] and other not in report.areas.all()
    assert report.occurred_at.date() <= timezone.now().date() and report.photos.count() == 1
    assert AuditEntry.objects.filter(object_type="walks.observation", action="update").count() == 1
    # A second click does nothing.
    response = _convert(client, walk, obs, to="report")
    assert response.status_code == 302 and Report.objects.count() == 1
    page = client.get(reverse("walks:detail", args=[walk.pk])).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in page
    with pytest.raises(services.AlreadyConverted):
        services.convert_to_action(coordinator, obs, responsible=coordinator.organization, end_date=None)


def test_observation_becomes_an_action_for_a_partner(client, coordinator, walk):
    partner = OrganizationFactory(code="park", name="Parkenheten")
    obs = _obs(walk, code="fysisk_miljo", comment="Buskar skymmer sikten")
    client.force_login(coordinator)
    end = timezone.localdate() + dt.timedelta(days=14)
    assert _convert(client, walk, obs, to="action", responsible=partner.pk,
                    end_date=end.isoformat()).status_code == 302
    obs.refresh_from_db()
    action = Action.objects.get()
    assert obs.action == action and action.responsible == partner and action.end_date == end
    assert action.kind == Action.Kind.SHORT_TERM and action.area == walk.area and action.lat == obs.lat
    assert "Buskar skymmer sikten" in action.description
    assert AuditEntry.objects.filter(object_type="actions.action", action="create").count() == 1


def test_action_conversion_needs_an_organisation(client, coordinator, walk):
    obs = _obs(walk)
    client.force_login(coordinator)
    response = _convert(client, walk, obs, to="action")
    assert response.status_code == 400 and "responsible" in response.content.decode()
    assert not Action.objects.exists()
    obs.refresh_from_db()
    assert obs.action is None


def test_observation_becomes_evidence_in_a_case(client, coordinator, walk):
    place = PlaceFactory(code="parken", name="Parken")
    case = PlaceCase.objects.create(title="Parken kvällstid", place=place, problem="Oro",
                                    opened_on=dt.date(2026, 1, 5))
    closed = PlaceCase.objects.create(title="Stängt", place=place, problem="x", opened_on=dt.date(2025, 1, 5),
                                      status=PlaceCase.Status.CLOSED)
    obs = _obs(walk, code="folksamling", comment="Grupper vid scenen")
    client.force_login(coordinator)
    assert _convert(client, walk, obs, to="case", case=closed.pk).status_code == 400
    assert _convert(client, walk, obs, to="case", case=case.pk).status_code == 302
    obs.refresh_from_db()
    assert obs.case == case
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Från trygghetsvandringar" in page and "Grupper vid scenen" in page and walk.title in page


# ---- permissions ------------------------------------------------------------------------------------

def test_who_may_do_what(client, user_factory, walk):
    obs = _obs(walk)
    viewer, reporter, analyst = (user_factory(r, username=r) for r in ("viewer", "reporter", "analyst"))
    for user in (viewer, reporter, analyst):
        client.force_login(user)
        assert client.get(reverse("walks:list")).status_code == 200
        assert client.get(reverse("walks:detail", args=[walk.pk])).status_code == 200
        assert client.get(reverse("walks:create")).status_code == 403
        assert client.get(reverse("walks:edit", args=[walk.pk])).status_code == 403
        assert _convert(client, walk, obs, to="report").status_code == 403
    for user, allowed in ((viewer, False), (analyst, False), (reporter, True)):
        client.force_login(user)
        status = client.post(reverse("walks:detail", args=[walk.pk]), _obs_post()).status_code
        assert (status == 302) == allowed and (status == 403) != allowed
    assert not Report.objects.exists()


# ---- demo -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_demo_has_the_safety_walk():
    from samtrygg.demo import walk as demo_walk

    call_command("demo", "--no-serve", "--years", "0.3", stdout=io.StringIO())
    walk = SafetyWalk.objects.get(title=demo_walk.TITLE)
    assert walk.route["type"] == "LineString" and len(walk.route["coordinates"]) >= 5
    assert walk.residents > 0 and walk.participants.count() >= 3
    observations = walk.observations.all()
    assert 6 <= observations.count() <= 8
    assert observations.filter(report__isnull=False).count() == 1
    assert observations.filter(action__isnull=False).count() == 1
    assert all(o.comment for o in observations)
    report = observations.get(report__isnull=False).report
    assert report.areas.filter(pk=walk.area_id).exists()
    assert observations.filter(case__isnull=False).count() == 1
    assert not AuditEntry.objects.exclude(object_type="demo").exists()  # one entry for the whole demo load
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert SafetyWalk.objects.filter(title=demo_walk.TITLE).count() == 1
    # A reset removes the demo reports, the walk's among them; the next load links a new one.
    call_command("demo", "--no-serve", "--reset", "--years", "0.3", stdout=io.StringIO())
    walk = SafetyWalk.objects.get(title=demo_walk.TITLE)
    assert walk.observations.filter(report__isnull=False).count() == 1
    assert Report.objects.filter(pk=report.pk).count() == 0
