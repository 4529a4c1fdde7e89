"""A real Open311 client against a running Samtrygg: the `georeport` package from PyPI (a GeoReport v2
wrapper with requests and xmltodict) lists services, reads a definition and reads requests in XML and JSON.
It cannot post (its README says so; the other Python clients on PyPI, `open311` and `three`, are Python 2
only), so posting is driven the way the specification describes it: a form-encoded POST with the key, its
answer parsed with the same XML library the client uses."""

from __future__ import annotations

import pytest
import requests
import xmltodict
from georeport import GeoReport

from samtrygg.analysis import geo
from samtrygg.api.tokens import create_token
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.reports.models import Report
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, OrganizationFactory, UserFactory, make_report


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_georeport_client_lists_services_and_reads_requests(live_server, fmt):
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    AreaFactory(code="centrum", name="Centrum")
    Category.objects.create(code="polis_obs", name="Polisens iakttagelse", sensitivity=Sensitivity.SENSITIVE)
    reporter = UserFactory(username="r", organization=org)
    report = make_report(reporter, description="Hemligt namn")
    make_report(reporter, category_code="polis_obs")
    client = GeoReport(f"{live_server.url}/open311/v2", output_format=fmt)

    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert "klotter" in codes and "polis_obs" not in codes
    klotter = next(s for s in services if s["service_code"] == "klotter")
    assert klotter["service_name"] == "Klotter"

    definition = client.get_service_definition("klotter")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["occurred_at", "quantity", "external_id"]

    listed = client.get_service_requests(service_code="klotter", status="open")
    if isinstance(listed, dict):  # xmltodict gives one request as a dict, several as a list
        listed = [listed]
    assert [str(r["service_request_id"]) for r in listed] == [str(report.pk)]
    one = client.get_service_request(str(report.pk))
    assert str(one["service_request_id"]) == str(report.pk) and one["status"] == "open"
    assert not one.get("description") and "Hemligt" not in str(one)
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_definition("polis_obs")
    assert raised.value.response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_post_as_the_specification_describes(live_server, settings):
    settings.SAMTRYGG_WEBHOOK_IMMEDIATE = "off"
    org = OrganizationFactory(code="bostad", name="Bostadsbolaget")
    AreaFactory(code="centrum", name="Centrum")
    admin = UserFactory(username="adm", organization=org, role="admin")
    _, key = create_token(admin, organization=org, role="reporter", name="Felanmälan")
    lon, lat = geo.sweref_to_wgs84(CENTRE_X, CENTRE_Y)
    response = requests.post(f"{live_server.url}/open311/v2/requests.xml", timeout=10, data={
        "api_key": key, "service_code": "skadegorelse", "lat": float(lat), "long": float(lon),
        "description": "Krossad ruta i porten", "attribute[quantity]": "2"})
    assert response.status_code == 201
    created = xmltodict.parse(response.content)["service_requests"]["request"]
    report = Report.objects.get(pk=int(created["service_request_id"]))
    assert report.organization == org and report.quantity == 2 and report.source == "api"
    client = GeoReport(f"{live_server.url}/open311/v2", output_format="xml")
    assert client.get_service_request(created["service_request_id"])["service_code"] == "skadegorelse"

    refused = requests.post(f"{live_server.url}/open311/v2/requests.json", timeout=10,
                            data={"api_key": key + "x", "service_code": "skadegorelse"})
    assert refused.status_code == 403
    assert refused.json()[0]["code"] == 403 and refused.json()[0]["field"] == "api_key"
