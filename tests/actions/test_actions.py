from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samtrygg.actions import access, services
from samtrygg.actions.models import Action
from samtrygg.audit.models import AuditEntry
from samtrygg.weekly.weeks import IsoWeek
from tests.actions.helpers import make_action
from tests.factories import AreaFactory, OrganizationFactory, PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db
W47 = IsoWeek(2026, 47)


def _post_data(org, **overrides):
    data = {"title": "Städa klotter vid skolan", "description": "Sanering", "kind": "short_term",
            "responsible": org.pk, "start_date": "2026-11-23", "end_date": "2026-11-30", "status": "planned",
            "decided": "2026-W47", "follow_up": "", "lat": "", "lon": "", "area": "", "place": "", "cost": ""}
    data.update(overrides)
    return data


def _audit(action):
    return list(AuditEntry.objects.filter(object_type="actions.action", object_id=str(action.pk)).order_by("id"))


def test_coordinator_creates_an_action_with_audit_entry(client, coordinator, org, area):
    client.force_login(coordinator)
    response = client.post(reverse("actions:create"), _post_data(org, area=area.pk))
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("actions:detail", args=[action.pk])
    assert (action.title, action.area, action.responsible, action.created_by) == (
        "Städa klotter vid skolan", area, org, coordinator)
    assert (action.decided_year, action.decided_week) == (2026, 47)
    assert action.end_date == date(2026, 11, 30)
    [entry] = _audit(action)
    assert entry.action == "create" and entry.actor == coordinator
    assert entry.changes["title"] == [None, "Städa klotter vid skolan"]
    assert entry.changes["area"] == [None, "Centrum"]


def test_place_fills_in_its_area(client, coordinator, org, area):
    place = PlaceFactory(code="parken", name="Parken", area=area)
    client.force_login(coordinator)
    client.post(reverse("actions:create"), _post_data(org, place=place.pk))
    action = Action.objects.get()
    assert action.place == place and action.area == area


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"end_date": "2026-11-01"}, "end_date", "on or after the start date"),
    ({"decided": "2026-W54"}, "decided", "has no week 54"),
    ({"title": ""}, "title", "required"),
    ({"lat": "59.85"}, "lon", "both latitude and longitude"),
    ({"lat": "123", "lon": "17.6"}, "lat", "less than or equal to 90"),
    ({"start_date": "23/11/2026"}, "start_date", "valid date"),
    ({"responsible": "999999"}, "responsible", "valid choice"),
])
def test_bad_input_is_named_and_nothing_is_saved(client, coordinator, org, overrides, field, message):
    client.force_login(coordinator)
    response = client.post(reverse("actions:create"), _post_data(org, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Action.objects.exists()
    assert not AuditEntry.objects.filter(object_type="actions.action").exists()


def test_create_prefills_from_query(client, coordinator, org, area):
    place = PlaceFactory(code="torget", name="Torget", area=AreaFactory(code="norr", name="Norr"))
    client.force_login(coordinator)
    response = client.get(reverse("actions:create") + f"?week=2026-W40&place={place.code}")
    form = response.context["form"]
    assert form.initial["decided"] == "2026-W40"
    assert form.initial["place"] == place.pk and form.initial["area"] == place.area_id
    assert form.initial["responsible"] == org.pk
    response = client.get(reverse("actions:create") + f"?week=bogus&area={area.code}")
    form = response.context["form"]
    assert form.initial["decided"] == str(IsoWeek.last_complete())
    assert form.initial["area"] == area.pk
    assert 'value="2026-W40"' not in response.content.decode()


def test_create_returns_to_the_week_page_when_asked(client, coordinator, org):
    client.force_login(coordinator)
    response = client.post(reverse("actions:create"), _post_data(org, next="/weekly/2026-W47/?area=centrum"))
    assert response["Location"] == "/weekly/2026-W47/?area=centrum"
    response = client.post(reverse("actions:create"), _post_data(org, next="https://evil.example/"))
    assert response["Location"].startswith("/actions/")


def test_edit_writes_the_changes_to_the_audit_log_and_shows_history(client, coordinator, org):
    action = services.create_action(coordinator, title="Röja buskage", responsible=org,
                                    start_date=date(2026, 11, 16))
    client.force_login(coordinator)
    response = client.post(reverse("actions:edit", args=[action.pk]),
                           _post_data(org, title="Röja buskage", start_date="2026-11-16", end_date="",
                                      status="done", follow_up="Klart, mindre klotter", decided=""))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.follow_up == "Klart, mindre klotter"
    create, update = _audit(action)
    assert update.action == "update"
    assert update.changes["status"] == ["planned", "done"]
    assert update.changes["follow_up"] == ["", "Klart, mindre klotter"]
    assert "description" in update.changes and "title" not in update.changes
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "History" in page or "Historik" in page
    assert "Klart, mindre klotter" in page
    assert "<del>Planned</del>" in page or "<del>Planerad</del>" in page


def test_saving_without_changes_writes_nothing(client, coordinator, org):
    action = services.create_action(coordinator, title="X", responsible=org, start_date=date(2026, 11, 16))
    client.force_login(coordinator)
    client.post(reverse("actions:edit", args=[action.pk]),
                _post_data(org, title="X", description="", start_date="2026-11-16", end_date="", decided=""))
    assert len(_audit(action)) == 1


def test_responsible_reporter_updates_only_status_and_follow_up(client, org):
    reporter = UserFactory(username="parkarbetare", organization=org, role="reporter")
    action = make_action(org, title="Byt lampor")
    client.force_login(reporter)
    response = client.get(reverse("actions:edit", args=[action.pk]))
    assert set(response.context["form"].fields) == {"status", "follow_up", "version"}
    client.post(reverse("actions:edit", args=[action.pk]),
                {"status": "ongoing", "follow_up": "Beställt", "title": "Hackad"})
    action.refresh_from_db()
    assert (action.status, action.follow_up, action.title) == ("ongoing", "Beställt", "Byt lampor")
    [entry] = _audit(action)
    assert entry.actor == reporter and set(entry.changes) == {"status", "follow_up"}


@pytest.mark.parametrize(("role", "same_org", "manage", "follow"), [
    ("viewer", True, False, False),
    ("reporter", True, False, True),
    ("reporter", False, False, False),
    ("analyst", True, False, True),
    ("analyst", False, False, False),
    ("coordinator", False, True, True),
    ("admin", False, True, True),
])
def test_permissions(client, org, role, same_org, manage, follow):
    other = OrganizationFactory(code="bostad", name="Bostadsbolaget")
    user = UserFactory(username=f"u-{role}-{same_org}", organization=org if same_org else other, role=role)
    action = make_action(org)
    assert access.can_manage(user) is manage
    assert access.can_follow_up(user, action) is follow
    client.force_login(user)
    assert client.get(reverse("actions:list")).status_code == 200
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 200
    assert client.get(reverse("actions:create")).status_code == (200 if manage else 403)
    assert client.get(reverse("actions:edit", args=[action.pk])).status_code == (200 if follow else 403)
    before = Action.objects.count()
    client.post(reverse("actions:create"), _post_data(org))
    assert Action.objects.count() == before + (1 if manage else 0)


def test_anonymous_is_sent_to_login(client, org):
    action = make_action(org)
    for url in (reverse("actions:list"), reverse("actions:detail", args=[action.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_action_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("actions:detail", args=[99999])).status_code == 404
    assert client.get(reverse("actions:edit", args=[99999])).status_code == 404


def test_list_filters_and_overdue_marker(client, coordinator, org, area):
    today = timezone.localdate()
    other_org = OrganizationFactory(code="polisen", name="Polisen")
    late = make_action(org, title="Försenad insats", area=area, start=today - timedelta(days=20),
                       end=today - timedelta(days=1))
    on_time = make_action(org, title="Pågående insats", status="ongoing", start=today, end=today + timedelta(days=5))
    done_late = make_action(other_org, title="Klar insats", status="done", start=today - timedelta(days=20),
                            end=today - timedelta(days=1), kind="long_term")
    client.force_login(coordinator)

    def titles(query=""):
        response = client.get(reverse("actions:list") + query)
        assert response.status_code == 200
        return {row["action"].title for row in response.context["rows"]}, response

    assert titles()[0] == {late.title, on_time.title, done_late.title}
    assert titles("?state=overdue")[0] == {late.title}
    assert titles("?state=open")[0] == {late.title, on_time.title}
    assert titles("?state=closed")[0] == {done_late.title}
    assert titles("?status=ongoing")[0] == {on_time.title}
    assert titles(f"?responsible={other_org.pk}")[0] == {done_late.title}
    assert titles(f"?area={area.pk}")[0] == {late.title}
    assert titles("?kind=long_term")[0] == {done_late.title}
    assert titles("?q=försenad")[0] == {late.title}
    rows = {row["action"].title: row["overdue"] for row in titles()[1].context["rows"]}
    assert rows == {late.title: True, on_time.title: False, done_late.title: False}
    body = titles()[1].content.decode()
    assert body.count('class="action-overdue"') == 1
    # A bad filter is named, and the list is not silently narrowed.
    found, response = titles("?area=99999&status=bogus")
    assert found == {late.title, on_time.title, done_late.title}
    assert "filter-errors" in response.content.decode()


def test_area_filter_includes_nested_areas_and_places(coordinator, org, area):
    from samtrygg.actions.forms import ActionFilterForm
    from samtrygg.actions.views import filtered_actions

    child = AreaFactory(code="barn", name="Barnområdet", parent=area)
    place = PlaceFactory(code="lekplatsen", name="Lekplatsen", area=child)
    in_child = make_action(org, title="I barnområdet", area=child)
    at_place = make_action(org, title="På lekplatsen", place=place)
    make_action(org, title="Någon annanstans", area=AreaFactory(code="annat", name="Annat"))
    found = {a.title for a in filtered_actions(ActionFilterForm({"area": area.pk}))}
    assert found == {in_child.title, at_place.title}


def test_admin_pages_work_and_log_changes(client, admin_user, org):
    action = make_action(org)
    client.force_login(admin_user)
    assert client.get(reverse("admin:actions_action_changelist")).status_code == 200
    url = reverse("admin:actions_action_change", args=[action.pk])
    assert client.get(url).status_code == 200
    data = {"title": "Ändrad i admin", "description": "", "kind": "short_term", "responsible": org.pk,
            "start_date": "2026-11-16", "end_date": "", "status": "ongoing", "follow_up": "", "cost": "",
            "area": "", "place": "", "lat": "", "lon": "", "decided_year": "", "decided_week": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    [entry] = _audit(action)
    assert entry.changes["title"] == ["Extra väktarrond", "Ändrad i admin"]
