"""The hotspot service, the command and the page on factory data."""

import csv
import io
import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from samtrygg.categories.models import Category, Sensitivity
from samtrygg.quarterly import hotspot_service as svc
from samtrygg.quarterly.quarters import STOCKHOLM, Quarter
from samtrygg.quarterly.views_hotspots import hotspot_map_svg
from samtrygg.reports import aggregates
from samtrygg.reports.models import Report, ReportArea
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, OrganizationFactory, UserFactory, category

QUARTER = Quarter(2025, 2)
HOT_X, HOT_Y = CENTRE_X - 500, CENTRE_Y + 300  # inside the area's cell (647200..647400, 6638800..6639000)


def add_reports(org, area, points, quarter, code="klotter", quantity=1, deleted=False):
    from samtrygg.analysis.geo import sweref_to_wgs84

    cat = category(code)
    start = quarter.start()
    reports = []
    for i, (x, y) in enumerate(points):
        lon, lat = sweref_to_wgs84(x, y)
        reports.append(Report(organization=org, category=cat, occurred_at=start + timedelta(hours=5 + i),
                              x=x, y=y, lat=float(lat), lon=float(lon), quantity=quantity,
                              deleted_at=start if deleted else None))
    Report.objects.bulk_create(reports)
    ReportArea.objects.bulk_create([ReportArea(report=r, area=area) for r in reports])
    aggregates.record_new([r.pk for r in reports])
    return reports


@pytest.fixture
def data(db):
    org = OrganizationFactory(code="kommunen")
    area = AreaFactory(code="centrum", name="Centrum")  # 2 × 2 km square around CENTRE
    rng = np.random.default_rng(1)
    for q, seed in ((QUARTER.previous(), 1), (QUARTER, 2)):
        r = np.random.default_rng(seed)
        cluster = [(HOT_X + r.uniform(-90, 90), HOT_Y + r.uniform(-90, 90)) for _ in range(30)]
        spread = [(CENTRE_X + r.uniform(-990, 990), CENTRE_Y + r.uniform(-990, 990)) for _ in range(20)]
        add_reports(org, area, cluster + spread, q)
    # never counted: soft-deleted, and outside the quarter
    add_reports(org, area, [(HOT_X, HOT_Y)] * 50, QUARTER, deleted=True)
    add_reports(org, area, [(CENTRE_X + 800, CENTRE_Y - 800)] * 40, QUARTER.shift(-3))
    del rng
    return {"org": org, "area": area}


def run(quarter=QUARTER, **kw):
    prev = quarter.previous()
    return svc.hotspots(quarter.start(), quarter.end(), previous=(prev.start(), prev.end()), **kw)


def test_service_grid_counts_and_classes(data):
    result = run(area=data["area"])
    a = result.analysis
    assert a.grid.cell == 200 and a.grid.x0 % 200 == 0 and a.grid.y0 % 200 == 0
    assert a.n_cells == 100  # 2 km square on the 200 m lattice: 10 × 10 (edge-touching cells excluded)
    assert result.reports == 50 and a.count.sum() == 50  # deleted and other-quarter reports are not counted
    col, row = int((HOT_X - a.grid.x0) // 200), int((HOT_Y - a.grid.y0) // 200)
    assert a.count[row, col] >= 25
    assert a.hot_class[row, col] in ("hot95", "hot99")
    assert a.gi.q[row, col] < 0.05 and a.gi.z[row, col] > 2.5
    assert a.bandwidth_rule and a.bandwidth >= 200
    st = result.stability
    assert st is not None and st.hotspot.cells >= 1 and st.hotspot.cells == st.naive.cells
    assert st.hotspot.incident_share > 0.5 and st.hotspot.pai > 3


def test_service_geojson_properties(data):
    result = run(area=data["area"])
    gj = result.geojson()
    assert len(gj["features"]) == 100
    props = gj["features"][0]["properties"]
    assert set(svc.CELL_COLUMNS) <= set(props)
    ring = gj["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and 17 < ring[0][0] < 18 and 59 < ring[0][1] < 60  # WGS84 lon/lat
    hot = [f for f in gj["features"] if f["properties"]["hot_class"] in ("hot95", "hot99")]
    assert hot and all(f["properties"]["gi_q"] < 0.05 and f["properties"]["gi_z"] > 0 for f in hot)
    json.dumps(gj, allow_nan=False)  # valid JSON: no NaN


def test_sensitive_reports_left_out_for_users_who_may_not_see_them(data):
    Category.objects.filter(code="narkotika").update(sensitivity=Sensitivity.SENSITIVE)
    police = OrganizationFactory(code="polisen", kind="police", sees_sensitive=True)
    add_reports(police, data["area"], [(CENTRE_X + 700, CENTRE_Y - 700)] * 9, QUARTER, code="narkotika")
    viewer = UserFactory(role="viewer", organization=data["org"])
    analyst = UserFactory(role="analyst", organization=police)
    assert run(area=data["area"], user=viewer).reports == 50
    assert run(area=data["area"], user=analyst).reports == 59
    assert run(area=data["area"]).reports == 59  # no user (the command): everything


def test_no_data_and_bad_sizes(data):
    with pytest.raises(svc.NoData):
        run(quarter=Quarter(2020, 1), area=data["area"])
    with pytest.raises(svc.HotspotError, match="more than 0"):
        run(area=data["area"], cell=0)
    with pytest.raises(svc.HotspotError, match="more than 0"):
        run(area=data["area"], bandwidth=-5)
    with pytest.raises(svc.HotspotError, match=r"too large.*1,000,000"):
        run(area=data["area"], cell=2, max_cells=1_000_000)


def test_hotspot_map_svg(data):
    svg = hotspot_map_svg(run(area=data["area"]))
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "Hot spot, 99 %" in svg or "path" in svg  # text is converted to paths (svg.fonttype=path)


# ------------------------------------------------------------------------------------------- command

def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("hotspots", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_csv_and_geojson(data):
    out, err = command("--from", "2025-04-01", "--to", "2025-06-30", "--area", "centrum", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 100
    assert list(rows[0])[:8] == ["x_min", "y_min", "count", "harm", "kde", "gi_z", "gi_p", "gi_q"]
    assert sum(int(r["count"]) for r in rows) == 50
    assert all(float(r["x_min"]) % 200 == 0 for r in rows)
    out, _ = command("--from", "2025-04-01", "--to", "2025-06-30", "--area", "centrum", "--cell", "400",
                     "--category", "klotter", "--format", "geojson")
    gj = json.loads(out)
    assert len(gj["features"]) == 25
    for key in ("x_min", "y_min", "count", "kde", "gi_z", "gi_p", "gi_q"):
        assert key in gj["features"][0]["properties"]


@pytest.mark.parametrize("args,message", [
    (["--from", "2025-13-01", "--to", "2025-06-30", "--format", "csv"], "--from"),
    (["--from", "2025-06-30", "--to", "2025-04-01", "--format", "csv"], "after"),
    (["--from", "2025-04-01", "--to", "2025-06-30", "--format", "xml"], "--format"),
    (["--from", "2025-04-01", "--to", "2025-06-30", "--cell", "0", "--format", "csv"], "--cell"),
    (["--from", "2025-04-01", "--to", "2025-06-30", "--cell", "abc", "--format", "csv"], "--cell"),
    (["--from", "2025-04-01", "--to", "2025-06-30", "--cell", "0.5", "--format", "csv"], "too large"),
    (["--from", "2025-04-01", "--to", "2025-06-30", "--area", "nowhere", "--format", "csv"], "--area"),
    (["--from", "2025-04-01", "--to", "2025-06-30", "--category", "nope", "--format", "csv"], "--category"),
])
def test_command_bad_input(data, args, message):
    with pytest.raises(CommandError, match=message):
        command(*args)


# ------------------------------------------------------------------------------------------- page

@pytest.fixture
def analyst_client(client, data):
    client.force_login(UserFactory(role="analyst", organization=data["org"]))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are checked in English
    return client


def test_page_shows_map_stability_and_bandwidth(analyst_client):
    url = reverse("quarterly:hotspots")
    r = analyst_client.get(url, {"quarter": str(QUARTER), "area": "centrum"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="hotspot-map"' in html and "Density bandwidth" in html and "PAI" in html
    assert "busiest cells" in html
    r = analyst_client.get(url, {"quarter": str(QUARTER), "area": "centrum", "bandwidth": "350"})
    assert "350 m (as you chose)" in r.content.decode()


@pytest.mark.parametrize("params,field,text", [
    ({"cell": "0"}, "cell", "more than 0"),
    ({"cell": "-200"}, "cell", "more than 0"),
    ({"cell": "abc"}, "cell", "number of metres"),
    ({"cell": "1"}, "cell", "too large"),
    ({"bandwidth": "0"}, "bandwidth", "more than 0"),
    ({"quarter": "2025-Q9"}, "quarter", "not a quarter"),
    ({"quarter": "2999-Q1"}, "quarter", "has not started"),
    ({"area": "nowhere"}, "area", "no area"),
    ({"category": "nope"}, "category", "does not exist"),
])
def test_page_bad_input(analyst_client, params, field, text):
    query = {"quarter": str(QUARTER), "area": "centrum", **params}
    r = analyst_client.get(reverse("quarterly:hotspots"), query)
    assert r.status_code == 400
    html = r.content.decode()
    assert text in html
    assert f'id="id_{field}_error"' in html
    assert 'id="hotspot-map"' not in html


def test_page_quarter_without_data(analyst_client):
    r = analyst_client.get(reverse("quarterly:hotspots"), {"quarter": "2020-Q1", "area": "centrum"})
    assert r.status_code == 200
    assert "no reports you may see in 2020-Q1" in r.content.decode()


def test_data_endpoint(analyst_client):
    url = reverse("quarterly:hotspots_data")
    r = analyst_client.get(url, {"quarter": str(QUARTER), "area": "centrum"})
    gj = r.json()
    assert r.status_code == 200 and gj["features"]
    assert any(f["properties"]["hot_class"].startswith("hot") for f in gj["features"])
    assert gj["properties"]["cell"] == 200
    r = analyst_client.get(url, {"quarter": str(QUARTER), "cell": "0"})
    assert r.status_code == 400 and "more than 0" in r.json()["error"]


def test_cached_cells_follow_who_asks_and_new_reports(client, data):
    """The analysis is cached; the cache never gives one user's cells (with sensitive reports) to another,
    and a new report shows at once."""
    Category.objects.filter(code="narkotika").update(sensitivity=Sensitivity.SENSITIVE)
    police = OrganizationFactory(code="polisen", kind="police", sees_sensitive=True)
    add_reports(police, data["area"], [(CENTRE_X + 700, CENTRE_Y - 700)] * 9, QUARTER, code="narkotika")
    url, query = reverse("quarterly:hotspots_data"), {"quarter": str(QUARTER), "area": "centrum"}

    def reports(user) -> int:
        client.force_login(user)
        return client.get(url, query).json()["properties"]["reports"]

    analyst = UserFactory(role="analyst", organization=police)
    viewer = UserFactory(role="viewer", organization=data["org"])
    assert [reports(analyst), reports(viewer), reports(analyst), reports(viewer)] == [59, 50, 59, 50]
    add_reports(data["org"], data["area"], [(HOT_X, HOT_Y)], QUARTER)
    assert reports(viewer) == 51


def test_browsers_that_accept_gzip_get_the_cells_compressed(analyst_client):
    import gzip

    url, query = reverse("quarterly:hotspots_data"), {"quarter": str(QUARTER), "area": "centrum"}
    plain = analyst_client.get(url, query)
    packed = analyst_client.get(url, query, headers={"accept-encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(packed.content) < len(plain.content)


def test_reporters_may_not_open_the_page(client, data):
    client.force_login(UserFactory(role="reporter", organization=data["org"]))
    assert client.get(reverse("quarterly:hotspots")).status_code == 403
    assert client.get(reverse("quarterly:hotspots_data")).status_code == 403


def test_quarter_bounds_are_stockholm_time():
    assert QUARTER.start() == datetime(2025, 4, 1, tzinfo=STOCKHOLM)
