"""build_picture: contents, drill-down URLs that list exactly the counted reports, sensitivity."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samtrygg.categories.models import Category, Sensitivity
from samtrygg.reports import services
from samtrygg.weekly.picture import build_picture
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import AreaFactory, OrganizationFactory, UserFactory, category
from tests.weekly.weekly_data import bulk_reports

WEEK = IsoWeek(2026, 20)
SECRET = "HEMLIG-OBSERVATION-99"


@pytest.fixture
def world(db):
    org = OrganizationFactory(code="parker", name="Parker")
    police = OrganizationFactory(code="polisen", name="Polisen", sees_sensitive=True)
    city = AreaFactory(code="stad", name="Staden", kind="municipality")
    north = AreaFactory(code="norr", name="Norr", parent=city)
    secret_cat = Category.objects.create(code="polis_obs", name="Polisens iakttagelse",
                                         sensitivity=Sensitivity.SENSITIVE, severity=5)
    start = WEEK.start()
    # 9 usual weeks of parks' reporting (3 a week), none this week: missing reporting.
    bulk_reports([(WEEK.shift(-i).start() + timedelta(hours=12), "klotter") for i in range(1, 9) for _ in range(3)],
                 organization=org, areas=[north, city])
    bulk_reports([(start + timedelta(hours=h), "klotter") for h in (1, 2, 3)]
                 + [{"when": start + timedelta(days=6, hours=23, minutes=59), "category": "brand",
                     "description": "Container brann"}],
                 organization=police, areas=[north, city])
    bulk_reports([{"when": start + timedelta(hours=40), "category": secret_cat.code, "description": SECRET}],
                 organization=police, areas=[north, city])
    viewer = UserFactory(username="lasare", organization=org, role="viewer")
    police_analyst = UserFactory(username="pa", organization=police, role="analyst")
    return {"org": org, "police": police, "city": city, "north": north, "viewer": viewer,
            "police_analyst": police_analyst, "secret_cat": secret_cat}


def test_picture_is_json_and_complete(world):
    p = build_picture(world["viewer"], WEEK)
    json.dumps(p)
    assert p["week"] == "2026-W20" and p["week_start"] == "2026-05-11" and p["week_end"] == "2026-05-17"
    assert p["previous_week"] == "2026-W19" and p["next_week"] == "2026-W21"
    for key in ("area", "filters", "generated_at", "totals", "rows", "signals", "by_category", "by_area",
                "weekday_hour", "notable", "organizations", "actions", "assessment", "map"):
        assert key in p
    # Distinct reports: the municipality does not double count. The one sensitive report is a count under 5
    # the viewer may not see, so it is left out of the viewer's sums (test_small_sensitive_counts_...).
    assert p["totals"] == {"reports": 4, "previous": 3, "change": 1, "quantity": 4}
    assert build_picture(world["police_analyst"], WEEK)["totals"] == {
        "reports": 5, "previous": 3, "change": 2, "quantity": 5}
    kl = next(r for r in p["rows"] if r["area"]["code"] == "norr" and r["category"]["code"] == "klotter")
    assert (kl["count"], kl["previous"], kl["change"]) == (3, 3, 0)
    assert kl["expected"] is not None or kl["status"] == "no_history"
    assert sum(sum(day) for day in p["weekday_hour"]["counts"]) == 4
    assert p["weekday_hour"]["counts"][6][23] == 1  # the fire, Sunday 23:59
    assert p["map"]["points_url"].startswith(reverse("reports:map_data") + "?date_from=2026-05-11&date_to=2026-05-17")


def test_drill_down_lists_exactly_the_cell(client, world):
    client.force_login(world["police_analyst"])
    p = build_picture(world["police_analyst"], WEEK)
    for row in p["rows"]:
        response = client.get(row["reports_url"])
        assert response.status_code == 200
        assert response.context["page"].paginator.count == row["count"], row
    for c in p["by_category"]:
        assert client.get(c["reports_url"]).context["page"].paginator.count == c["count"]


def test_notable_hides_sensitive_reports_from_other_organisations(world):
    viewer_pic = build_picture(world["viewer"], WEEK)
    assert SECRET not in json.dumps(viewer_pic)
    assert [n["category"]["code"] for n in viewer_pic["notable"]] == ["brand"]
    assert viewer_pic["notable"][0]["area"] == "Norr" and viewer_pic["notable"][0]["description"] == "Container brann"
    police_pic = build_picture(world["police_analyst"], WEEK)
    assert SECRET in json.dumps(police_pic)
    assert police_pic["notable"][0]["category"]["code"] == "polis_obs"  # severity 5 before the fire's 4
    # The viewer learns that there were a few sensitive reports, not how many.
    assert any(r["category"]["code"] == "polis_obs" and r["count"] == "<5" for r in viewer_pic["rows"])
    assert any(r["category"]["code"] == "polis_obs" and r["count"] == 1 for r in police_pic["rows"])


def test_missing_reporting(world):
    orgs = {o["code"]: o for o in build_picture(world["viewer"], WEEK)["organizations"]}
    assert orgs["parker"]["count"] == 0 and orgs["parker"]["usual"] == 3.0 and orgs["parker"]["missing"]
    assert orgs["polisen"]["count"] == 4 and not orgs["polisen"]["missing"]  # the sensitive one is under 5
    orgs = {o["code"]: o for o in build_picture(world["police_analyst"], WEEK)["organizations"]}
    assert orgs["polisen"]["count"] == 5


def test_filters(world):
    p = build_picture(world["viewer"], WEEK, area=world["north"], categories=[category("brand")])
    assert p["area"]["code"] == "norr"
    assert {r["area"]["code"] for r in p["rows"]} == {"norr"}
    assert {r["category"]["code"] for r in p["rows"]} == {"brand"}
    assert p["totals"]["reports"] == 1
    assert f"area={world['north'].pk}" in p["rows"][0]["reports_url"]
    p = build_picture(world["viewer"], WEEK, organization=world["org"])
    assert p["totals"]["reports"] == 0 and p["totals"]["previous"] == 3
    assert all(r["expected"] is None for r in p["rows"])


def test_empty_week_and_no_history(db):
    viewer = UserFactory(username="x", organization=OrganizationFactory(code="o"), role="viewer")
    AreaFactory(code="a1", name="A1")
    p = build_picture(viewer, WEEK)
    assert p["rows"] == [] and p["signals"] == [] and p["totals"]["reports"] == 0 and p["notable"] == []


def _sensitive_reports(world, n, *, area):
    start = WEEK.start()
    bulk_reports([(start + timedelta(hours=50 + i), "polis_obs") for i in range(n)], organization=world["police"],
                 areas=[area, world["city"]])


def _all_numbers(picture, code):
    """Every number the picture shows about category ``code``."""
    return ([r["count"] for r in picture["rows"] if r["category"]["code"] == code]
            + [c["count"] for c in picture["by_category"] if c["category"]["code"] == code])


def test_small_sensitive_counts_never_reach_those_who_may_not_see_them(world):
    """A sensitive category with 1–4 reports: "<5" for the viewer, and no sum gives the number back."""
    _sensitive_reports(world, 2, area=world["north"])  # 3 in Norr and in the city
    viewer, full = build_picture(world["viewer"], WEEK), build_picture(world["police_analyst"], WEEK)
    assert _all_numbers(viewer, "polis_obs") == ["<5"] * 3 and viewer["suppressed"]
    assert _all_numbers(full, "polis_obs") == [3, 3, 3] and not full["suppressed"]
    assert SECRET not in json.dumps(viewer)
    # Subtraction: every total the viewer sees equals the sum of the normal categories' counts.
    normal = [c for c in viewer["by_category"] if c["category"]["code"] != "polis_obs"]
    assert viewer["totals"]["reports"] == sum(c["count"] for c in normal) == 4
    assert viewer["totals"]["previous"] == sum(c["previous"] for c in normal)
    for a in viewer["by_area"]:
        shown = [r["count"] for r in viewer["rows"] if r["area"]["id"] == a["area"]["id"]]
        assert a["count"] == sum(n for n in shown if isinstance(n, int)), a
    assert sum(map(sum, viewer["weekday_hour"]["counts"])) == 4
    assert sum(o["count"] for o in viewer["organizations"]) == 4
    # Filtered to the sensitive category alone, nothing countable is left.
    only = build_picture(world["viewer"], WEEK, categories=[world["secret_cat"]])
    assert only["totals"]["reports"] == 0 and sum(map(sum, only["weekday_hour"]["counts"])) == 0
    assert all(o["count"] == 0 for o in only["organizations"]) and only["by_area"] == []
    assert _all_numbers(only, "polis_obs") == ["<5"] * 3


def test_sensitive_counts_of_five_or_more_are_shown(world):
    _sensitive_reports(world, 4, area=world["north"])  # 5 in Norr and in the city
    viewer = build_picture(world["viewer"], WEEK)
    assert _all_numbers(viewer, "polis_obs") == [5, 5, 5] and not viewer["suppressed"]
    assert viewer["totals"]["reports"] == 9


def test_small_sensitive_counts_in_the_page_and_documents(client, world):
    client.force_login(world["viewer"])
    page = client.get(reverse("weekly:week", kwargs={"week": str(WEEK)})).content.decode()
    assert "&lt;5" in page and 'id="suppressed-note"' in page
    xlsx = client.get(reverse("weekly:document", kwargs={"week": str(WEEK), "fmt": "xlsx"}))
    assert xlsx.status_code == 200
    pdf = client.get(reverse("weekly:document", kwargs={"week": str(WEEK), "fmt": "pdf"}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_a_suppressed_signal_renders_without_its_number(rf, world):
    """A signal in a sensitive category with a count under 5 (possible where little is expected)."""
    from django.template.loader import render_to_string

    from samtrygg.weekly import disclosure

    signal = {"area": {"id": 1, "code": "norr", "name": "Norr"}, "category": {"id": 7, "code": "polis_obs",
              "name": "Polisens iakttagelse"}, "count": 3, "expected": 0.2, "threshold": 2, "score": 4.1,
              "trigger": "week", "count_two_weeks": 3, "threshold_two_weeks": 3,
              "sentence": "3 rapporter, väntat 0,2", "reports_url": "/reports/"}
    picture = {"rows": [], "signals": [signal], "by_category": [], "by_area": [],
               "totals": {"reports": 0, "previous": 0, "change": 0, "quantity": 0}}
    disclosure.suppress_picture(picture, {7})
    assert signal["count"] == "<5" and signal["score"] is None and "3" not in signal["sentence"]
    html = render_to_string("weekly/_signals.html", {"picture": picture, "filters": {}}, request=rf.get("/"))
    assert "Polisens iakttagelse" in html and "3 rapporter" not in html and ">3<" not in html


# ---- the counted part is cached under the data's fingerprint: a repeat costs few queries, and any change to
# the reports, a category's name or who is asking shows at once.

def _without_moment(picture: dict) -> dict:
    return {k: v for k, v in picture.items() if k != "generated_at"}


def _queries(fn) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, len(ctx.captured_queries)


def test_a_repeated_picture_reads_far_fewer_queries_and_is_the_same(world):
    first, cold = _queries(lambda: build_picture(world["viewer"], WEEK))
    second, warm = _queries(lambda: build_picture(world["viewer"], WEEK))
    assert _without_moment(second) == _without_moment(first)
    assert warm <= cold // 2, (cold, warm)


def test_a_new_report_is_counted_at_once(world):
    before = build_picture(world["viewer"], WEEK)
    services.create_report(world["police_analyst"], occurred_at=WEEK.start() + timedelta(hours=30),
                           category=next(c for c in _categories() if c.code == "klotter"), quantity=1,
                           description="", lat=59.86, lon=17.64)
    after = build_picture(world["viewer"], WEEK)
    assert after["totals"]["reports"] == before["totals"]["reports"] + 1


def test_a_renamed_category_shows_at_once(world):
    build_picture(world["viewer"], WEEK)
    graffiti = next(c for c in _categories() if c.code == "klotter")
    graffiti.name = "Klotter och tags"
    graffiti.save()
    names = {r["category"]["name"] for r in build_picture(world["viewer"], WEEK)["rows"]}
    assert "Klotter och tags" in names and "Klotter" not in names


def test_what_one_user_may_open_never_reaches_another_through_the_cache(world):
    analyst = build_picture(world["police_analyst"], WEEK)
    assert SECRET in str(analyst["notable"])
    viewer = build_picture(world["viewer"], WEEK)
    assert SECRET not in str(viewer)
    assert viewer["totals"]["reports"] == analyst["totals"]["reports"] - 1  # the sensitive "<5" left out
    assert viewer["suppressed"] and not analyst["suppressed"]


def _categories():
    return list(Category.objects.all())


def test_a_report_in_a_later_week_leaves_the_picture_cached_one_in_its_weeks_does_not(world):
    first, _ = _queries(lambda: build_picture(world["viewer"], WEEK))
    klotter = next(c for c in _categories() if c.code == "klotter")
    services.create_report(world["police_analyst"], occurred_at=WEEK.shift(3).start() + timedelta(hours=5),
                           category=klotter, quantity=1, description="", lat=59.86, lon=17.64)
    again, warm = _queries(lambda: build_picture(world["viewer"], WEEK))
    _, cold = _queries(lambda: build_picture(world["viewer"], WEEK.shift(3)))
    assert again["totals"] == first["totals"] and warm < cold // 2, (warm, cold)
    services.create_report(world["police_analyst"], occurred_at=WEEK.start() + timedelta(hours=5),
                           category=klotter, quantity=1, description="", lat=59.86, lon=17.64)
    assert build_picture(world["viewer"], WEEK)["totals"]["reports"] == first["totals"]["reports"] + 1
