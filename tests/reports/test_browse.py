"""Finding reports: the filter function, the list (sorting, paging), the map data, the report page."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.urls import reverse

from samtrygg.audit.models import AuditEntry
from samtrygg.categories.models import Category
from samtrygg.reports import services
from samtrygg.reports.filters import ReportFilterForm, filter_reports, reports_for
from samtrygg.reports.models import Report
from samtrygg.reports.views_browse import PAGE_SIZE, map_features
from tests.factories import (
    CENTRE_X,
    CENTRE_Y,
    PASSWORD,
    AreaFactory,
    OrganizationFactory,
    PlaceFactory,
    UserFactory,
    make_report,
    square,
)

STHLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STHLM)


@pytest.fixture
def sensitive_category(db):
    return Category.objects.create(code="polis_obs", name="Polisobservation", sensitivity="sensitive")


def form_for(user, **params) -> ReportFilterForm:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            query.setlist(key, [str(v) for v in value])
        else:
            query[key] = str(value)
    return ReportFilterForm(query, user=user)


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def filtered(user, **params) -> set[int]:
    form = form_for(user, **params)
    assert form.is_valid(), form.errors
    return ids(reports_for(user, form))


# ---- the filter function ------------------------------------------------------------------------

def test_period_is_inclusive_local_days(reporter):
    before = make_report(reporter, when=local(2024, 3, 31, 23, 59))
    first = make_report(reporter, when=local(2024, 4, 1, 0, 0))  # 2024-03-31 22:00 UTC
    last = make_report(reporter, when=local(2024, 4, 30, 23, 59))
    after = make_report(reporter, when=local(2024, 5, 1, 0, 0))
    got = filtered(reporter, date_from="2024-04-01", date_to="2024-04-30")
    assert got == {first.pk, last.pk}
    assert before.pk not in got and after.pk not in got
    assert filtered(reporter, date_from="2024-05-01") == {after.pk}
    assert filtered(reporter, date_to="2024-03-31") == {before.pk}


def test_area_uses_every_containing_area(reporter):
    city = AreaFactory(code="stad", geometry=square(CENTRE_X, CENTRE_Y, 5000))
    north = AreaFactory(code="norr", parent=city, geometry=square(CENTRE_X, CENTRE_Y + 2000, 900))
    in_north = make_report(reporter, y=CENTRE_Y + 2000)
    in_city = make_report(reporter, y=CENTRE_Y - 2000)
    outside = make_report(reporter, y=CENTRE_Y + 20_000)
    assert filtered(reporter, area=city.pk) == {in_north.pk, in_city.pk}
    assert filtered(reporter, area=north.pk) == {in_north.pk}
    assert outside.pk in filtered(reporter)


def test_place_by_polygon_or_named(reporter):
    park = PlaceFactory(code="parken", geometry=square(CENTRE_X, CENTRE_Y, 100))
    inside = make_report(reporter, x=CENTRE_X + 10)
    named_outside = make_report(reporter, x=CENTRE_X + 3000, place=park)
    make_report(reporter, x=CENTRE_X + 500)
    assert filtered(reporter, place=park.pk) == {inside.pk, named_outside.pk}


def test_categories_organisation_and_text(reporter, user_factory):
    other_org = OrganizationFactory(code="bostad", name="Bostadsbolaget")
    other = user_factory("reporter", organization=other_org, username="other")
    graffiti = make_report(reporter, category_code="klotter", description="Taggar på ELSKÅPET")
    fire = make_report(other, category_code="brand", description="Brand i container")
    theft = make_report(reporter, category_code="stold", description="Cykel stulen vid skåpet")
    klotter, brand = Category.objects.get(code="klotter"), Category.objects.get(code="brand")
    assert filtered(reporter, category=[klotter.pk, brand.pk]) == {graffiti.pk, fire.pk}
    assert filtered(reporter, category=[brand.pk]) == {fire.pk}
    assert filtered(reporter, organization=other_org.pk) == {fire.pk}
    assert filtered(reporter, q="container") == {fire.pk}
    assert filtered(reporter, q="Cykel") == {theft.pk}
    assert filtered(reporter, q="taggar") == {graffiti.pk}  # case-insensitive (ASCII)
    assert filtered(reporter, q="container", organization=reporter.organization_id) == set()


def test_filter_reports_is_a_plain_function(reporter):
    a = make_report(reporter, quantity=3, description="ett")
    make_report(reporter, description="två")
    assert ids(filter_reports(Report.objects.all(), {"q": "ett", "category": None})) == {a.pk}
    assert ids(filter_reports(Report.objects.all(), {})) == set(Report.objects.values_list("pk", flat=True))


def test_sensitive_reports_only_for_own_org_and_police_coordinator(reporter, police_org, sensitive_category,
                                                                   user_factory):
    police_reporter = user_factory("reporter", organization=police_org, username="polis")
    police_coordinator = user_factory("coordinator", organization=police_org, username="polissamordnare")
    police_viewer = user_factory("viewer", organization=police_org, username="polislasare")
    other_org = OrganizationFactory(code="vakt", name="Vaktbolaget")
    guard = user_factory("coordinator", organization=other_org, username="vakt")
    secret = make_report(police_reporter, category_code="polis_obs", description="hemligt")
    normal = make_report(reporter)

    assert filtered(reporter) == {normal.pk}
    assert filtered(guard) == {normal.pk}
    assert filtered(guard, category=[sensitive_category.pk]) == set()
    assert filtered(police_reporter) == {normal.pk, secret.pk}  # own organisation
    assert filtered(police_viewer) == {normal.pk, secret.pk}  # own organisation
    assert filtered(police_coordinator) == {normal.pk, secret.pk}

    # The same holds in the list, the map data and the detail page.
    client_login = {"username": "vakt", "password": PASSWORD}
    from django.http import HttpRequest
    from django.test import Client

    # Client.login() goes through authenticate(); the login lockout (django-axes) needs the request.
    c = Client()
    assert c.login(request=HttpRequest(), **client_login)
    assert "hemligt" not in c.get(reverse("reports:list")).content.decode()
    features = c.get(reverse("reports:map_data")).json()["features"]
    assert [f["properties"]["id"] for f in features] == [normal.pk]
    assert c.get(reverse("reports:detail", args=[secret.pk])).status_code == 404
    c2 = Client()
    assert c2.login(request=HttpRequest(), username="polissamordnare", password=PASSWORD)
    assert c2.get(reverse("reports:detail", args=[secret.pk])).status_code == 200


def test_deleted_only_when_asked_and_allowed(reporter, coordinator):
    alive = make_report(reporter)
    gone = make_report(reporter)
    services.delete_report(coordinator, gone)
    assert filtered(coordinator) == {alive.pk}
    assert filtered(coordinator, deleted="on") == {alive.pk, gone.pk}
    # A reporter has no such field: the parameter is ignored, deleted reports stay hidden.
    form = form_for(reporter, deleted="on")
    assert "deleted" not in form.fields
    assert ids(reports_for(reporter, form)) == {alive.pk}


@pytest.mark.parametrize("params, field", [
    ({"date_from": "2024-13-01"}, "date_from"),
    ({"date_to": "igår"}, "date_to"),
    ({"date_from": "2024-05-02", "date_to": "2024-05-01"}, "date_to"),
    ({"area": "999999"}, "area"),
    ({"area": "x"}, "area"),
    ({"place": "-1"}, "place"),
    ({"organization": "abc"}, "organization"),
    ({"category": ["klotter"]}, "category"),
    ({"category": ["99999"]}, "category"),
    ({"q": "x" * 500}, "q"),
])
def test_invalid_filters_are_field_errors_never_500(client, reporter, params, field):
    form = form_for(reporter, **params)
    assert not form.is_valid()
    assert field in form.errors
    client.force_login(reporter)
    for name in ("reports:list", "reports:map"):
        response = client.get(reverse(name), params)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="id_{field}_error"' in html
        assert 'aria-invalid="true"' in html
    assert client.get(reverse("reports:map_data"), params).status_code == 400
    assert client.get(reverse("reports:export", args=["csv"]), params).status_code == 400
    assert not AuditEntry.objects.filter(action="export").exists()


def test_date_parsing_accepts_iso(reporter):
    form = form_for(reporter, date_from="2024-04-01")
    assert form.is_valid()
    assert form.cleaned_data["date_from"] == date(2024, 4, 1)


# ---- the list ------------------------------------------------------------------------------------

def test_list_requires_login(client):
    response = client.get(reverse("reports:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_shows_count_and_filters(client, reporter):
    make_report(reporter, category_code="brand", description="Container brann")
    make_report(reporter, category_code="klotter", description="Tag på vägg")
    client.force_login(reporter)
    response = client.get(reverse("reports:list"), {"q": "Container"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Container brann" in html and "Tag på vägg" not in html
    assert response.context["page"].paginator.count == 1
    # Export and map links carry the filters.
    assert reverse("reports:export", args=["csv"]) + "?q=Container" in html
    assert reverse("reports:map") + "?q=Container" in html


@pytest.mark.parametrize("sort, order, expected", [
    ("quantity", "asc", [1, 2, 3]),
    ("quantity", "desc", [3, 2, 1]),
    ("time", "asc", [2, 3, 1]),
    ("time", "desc", [1, 3, 2]),
    ("category", "asc", [1, 2, 3]),  # Brand, Klotter, Stöld och inbrott
    ("organization", "desc", [2, 1, 3]),  # Östra bolaget, then Kommunen newest first
])
def test_sort_whitelist(client, reporter, user_factory, sort, order, expected):
    ostra = OrganizationFactory(code="ostra", name="Östra bolaget")
    other = user_factory("reporter", organization=ostra, username="ostra")
    make_report(reporter, quantity=1, category_code="brand", when=local(2024, 5, 3, 12))
    make_report(other, quantity=2, category_code="klotter", when=local(2024, 5, 1, 12))
    make_report(reporter, quantity=3, category_code="stold", when=local(2024, 5, 2, 12))
    client.force_login(reporter)
    page = client.get(reverse("reports:list"), {"sort": sort, "order": order}).context["page"]
    assert [r.quantity for r in page.object_list] == expected


@pytest.mark.parametrize("sort", ["description", "id; DROP TABLE x", "-occurred_at", "created_by__password"])
def test_unknown_sort_falls_back_to_newest_first(client, reporter, sort):
    make_report(reporter, quantity=1, when=local(2024, 5, 1, 12))
    make_report(reporter, quantity=2, when=local(2024, 5, 2, 12))
    client.force_login(reporter)
    response = client.get(reverse("reports:list"), {"sort": sort, "order": "asc"})
    assert response.status_code == 200
    assert [r.quantity for r in response.context["page"].object_list] == [2, 1]


def test_pagination_keeps_filters(client, reporter):
    for i in range(PAGE_SIZE + 5):
        make_report(reporter, quantity=i + 1, description="sida")
    make_report(reporter, description="annat")
    client.force_login(reporter)
    first = client.get(reverse("reports:list"), {"q": "sida", "sort": "quantity", "order": "asc"})
    assert first.context["page"].paginator.count == PAGE_SIZE + 5
    assert len(first.context["page"].object_list) == PAGE_SIZE
    html = first.content.decode()
    assert "?q=sida&amp;sort=quantity&amp;order=asc&amp;page=2" in html
    second = client.get(reverse("reports:list"), {"q": "sida", "sort": "quantity", "order": "asc", "page": 2})
    got = [r.quantity for r in second.context["page"].object_list]
    assert got == list(range(PAGE_SIZE + 1, PAGE_SIZE + 6))
    # A page number out of range or not a number shows a real page, not an error.
    assert client.get(reverse("reports:list"), {"page": "999"}).status_code == 200
    assert client.get(reverse("reports:list"), {"page": "abc"}).status_code == 200


# ---- the map data ---------------------------------------------------------------------------------

def test_map_data_is_filtered_geojson_with_popup_fields(client, reporter):
    a = make_report(reporter, category_code="brand", description="hemlig text",
                    when=local(2024, 5, 1, 14, 30))
    make_report(reporter, category_code="klotter")
    client.force_login(reporter)
    brand = Category.objects.get(code="brand")
    data = client.get(reverse("reports:map_data"), {"category": brand.pk}).json()
    assert data["type"] == "FeatureCollection" and data["capped"] is False
    assert len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["properties"] == {"id": a.pk, "time": "2024-05-01 14:30", "category": "Brand",
                                     "url": reverse("reports:detail", args=[a.pk]), "deleted": False}
    lon, lat = feature["geometry"]["coordinates"]
    assert abs(lon - a.lon) < 1e-5 and abs(lat - a.lat) < 1e-5
    assert "hemlig" not in str(data)


def test_map_data_is_capped(reporter):
    for _i in range(5):
        make_report(reporter)
    data = map_features(Report.objects.all(), cap=3)
    assert data["capped"] is True and len(data["features"]) == 3
    assert map_features(Report.objects.all(), cap=5)["capped"] is False


def test_map_page_starts_on_the_extent_of_the_filtered_reports(client, reporter):
    # No cap any more: the map asks for its view and gets grid counts when there are many (test_map_clusters).
    a = make_report(reporter, x=CENTRE_X - 500, y=CENTRE_Y - 300)
    b = make_report(reporter, x=CENTRE_X + 400, y=CENTRE_Y + 200)
    client.force_login(reporter)
    response = client.get(reverse("reports:map"))
    assert response.context["extent"] == [a.lon, a.lat, b.lon, b.lat]
    assert 'id="map-extent"' in response.content.decode()
    assert "capped" not in response.context


# ---- the report page --------------------------------------------------------------------------------

def test_detail_shows_fields_areas_and_history(client, reporter, coordinator):
    AreaFactory(code="centrum", name="Centrum")
    park = PlaceFactory(code="parken", name="Stadsparken")
    report = make_report(reporter, category_code="klotter", description="Taggar på bänken", quantity=2,
                         when=local(2024, 5, 1, 10, 0))
    services.update_report(coordinator, report, quantity=5, description="Taggar på bänken och muren")
    client.force_login(reporter)
    response = client.get(reverse("reports:detail", args=[report.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Taggar på bänken och muren" in html
    assert "Centrum" in html and park.name in html
    assert reporter.username in html
    history = response.context["history"]
    assert [h["entry"].action for h in history] == ["update", "create"]
    update = {c["field"]: (c["old"], c["new"]) for c in history[0]["changes"]}
    label = str(Report._meta.get_field("quantity").verbose_name)
    assert update[label] == ("2", "5")
    assert history[0]["entry"].actor == coordinator
    assert "<del>2</del>" in html and "<ins>5</ins>" in html
    assert coordinator.username in html


def test_detail_history_shows_local_times(client, reporter, coordinator):
    report = make_report(reporter, when=local(2024, 5, 1, 10, 0))
    services.update_report(coordinator, report, occurred_at=local(2024, 5, 1, 11, 15))
    client.force_login(coordinator)
    changes = client.get(reverse("reports:detail", args=[report.pk])).context["history"][0]["changes"]
    assert (changes[0]["old"], changes[0]["new"]) == ("2024-05-01 10:00", "2024-05-01 11:15")


def test_detail_edit_and_delete_links_follow_permissions(client, reporter, coordinator, user_factory):
    own = make_report(reporter)
    viewer = user_factory("viewer", username="lasare")
    other_reporter = user_factory("reporter", username="annan")
    for user, allowed in ((reporter, True), (coordinator, True), (viewer, False), (other_reporter, False)):
        client.force_login(user)
        response = client.get(reverse("reports:detail", args=[own.pk]))
        html = response.content.decode()
        assert response.context["can_edit"] is allowed
        assert (reverse("reports:edit", args=[own.pk]) in html) is allowed
        assert (reverse("reports:delete", args=[own.pk]) in html) is allowed


def test_detail_of_missing_report_is_404(client, reporter):
    client.force_login(reporter)
    assert client.get(reverse("reports:detail", args=[987654])).status_code == 404


def test_delete_needs_confirmation_and_permission(client, reporter, coordinator, user_factory):
    report = make_report(reporter)
    viewer = user_factory("viewer", username="lasare")
    other_reporter = user_factory("reporter", username="annan")
    url = reverse("reports:delete", args=[report.pk])
    for user in (viewer, other_reporter):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    report.refresh_from_db()
    assert report.deleted_at is None

    client.force_login(reporter)
    confirm = client.get(url)
    assert confirm.status_code == 200 and b"csrfmiddlewaretoken" in confirm.content
    report.refresh_from_db()
    assert report.deleted_at is None  # GET only asks
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("reports:list")
    report.refresh_from_db()
    assert report.deleted_at is not None and report.deleted_by == reporter
    assert AuditEntry.objects.filter(action="delete", object_id=str(report.pk), actor=reporter).exists()
    # The reporter no longer sees it; a coordinator does, and can restore it.
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:restore", args=[report.pk])).status_code == 403  # reporters never restore
    client.force_login(coordinator)
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200 and page.context["can_restore"] and not page.context["can_edit"]
    assert client.get(reverse("reports:restore", args=[report.pk])).status_code == 405
    assert client.post(reverse("reports:restore", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.deleted_at is None
    assert AuditEntry.objects.filter(action="restore", object_id=str(report.pk), actor=coordinator).exists()


def test_coordinator_deleting_stays_on_report_page(client, reporter, coordinator):
    report = make_report(reporter)
    client.force_login(coordinator)
    response = client.post(reverse("reports:delete", args=[report.pk]))
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    page = client.get(response["Location"])
    assert 'class="deleted-notice"' in page.content.decode()
    assert page.context["can_restore"] is True


def test_sensitive_report_cannot_be_deleted_by_outsider(client, police_org, sensitive_category, user_factory):
    police = user_factory("reporter", organization=police_org, username="polis")
    secret = make_report(police, category_code="polis_obs")
    outsider = UserFactory(role="coordinator", organization=OrganizationFactory(code="annan"), username="x")
    client.force_login(outsider)
    assert client.post(reverse("reports:delete", args=[secret.pk])).status_code == 404
    secret.refresh_from_db()
    assert secret.deleted_at is None


def test_list_shows_named_place_or_containing_places(client, reporter):
    park = PlaceFactory(code="parken", name="Stadsparken", geometry=square(CENTRE_X, CENTRE_Y, 100))
    square_place = PlaceFactory(code="torget", name="Stora torget",
                                geometry=square(CENTRE_X + 5000, CENTRE_Y, 100))
    inside = make_report(reporter, description="inne")
    named = make_report(reporter, x=CENTRE_X + 2000, place=square_place, description="namngiven")
    nowhere = make_report(reporter, x=CENTRE_X + 9000, description="ingenstans")
    client.force_login(reporter)
    rows = {r.pk: r.place_names for r in client.get(reverse("reports:list")).context["page"].object_list}
    assert rows == {inside.pk: park.name, named.pk: square_place.name, nowhere.pk: ""}


def test_list_count_is_capped_so_it_costs_the_same_whatever_the_history(client, monkeypatch):
    from samtrygg.reports import views_browse

    AreaFactory()
    user = UserFactory()
    for _ in range(3):
        make_report(user)
    client.force_login(user)
    monkeypatch.setattr(views_browse, "LIST_COUNT_CAP", 3)
    response = client.get(reverse("reports:list"))
    assert response.context["page"].paginator.count == 3 and not response.context["page"].paginator.capped
    assert "Fler än" not in response.content.decode()
    monkeypatch.setattr(views_browse, "LIST_COUNT_CAP", 2)
    page = client.get(reverse("reports:list")).content.decode()
    assert "Fler än 2 rapporter" in page
