"""The webhook pages: every page × every role × own and another organisation's endpoint, the form's checks,
the audit log, a test message, a new secret, sending a delivery again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samtrygg.audit.models import AuditEntry
from samtrygg.webhooks.models import Delivery, Endpoint
from tests.factories import OrganizationFactory, UserFactory

ROLES = ["anonymous", "viewer", "reporter", "analyst", "coordinator", "admin", "other_coordinator"]
MANAGERS = {"coordinator", "admin"}


@pytest.fixture
def pages(db, org):
    other = OrganizationFactory(code="bostad", name="Bostadsbolaget")
    users = {role: UserFactory(username=f"u-{role}", organization=org, role=role)
             for role in ("viewer", "reporter", "analyst", "coordinator", "admin")}
    users["other_coordinator"] = UserFactory(username="u-oc", organization=other, role="coordinator")
    mine = Endpoint.objects.create(organization=org, name="Kommunens system", url="https://a.example.se/h",
                                   is_active=False)
    theirs = Endpoint.objects.create(organization=other, name="Bostadsbolagets system",
                                     url="https://b.example.se/h", is_active=False)
    sent = Delivery.objects.create(endpoint=mine, event="ping", event_key="k", payload="{}")
    return {"users": users, "mine": mine, "theirs": theirs, "delivery": sent, "org": org, "other": other}


def _urls(pages):
    e, d = pages["mine"], pages["delivery"]
    return [
        ("get", reverse("webhooks:list")), ("get", reverse("webhooks:create")),
        ("get", reverse("webhooks:detail", args=[e.pk])), ("get", reverse("webhooks:edit", args=[e.pk])),
        ("get", reverse("webhooks:delete", args=[e.pk])), ("post", reverse("webhooks:rotate", args=[e.pk])),
        ("post", reverse("webhooks:test", args=[e.pk])), ("get", reverse("webhooks:delivery", args=[e.pk, d.pk])),
        ("post", reverse("webhooks:retry", args=[e.pk, d.pk])),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(client, pages, role):
    if role != "anonymous":
        client.force_login(pages["users"][role])
    for method, url in _urls(pages):
        response = getattr(client, method)(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], url
        elif role in MANAGERS:
            assert response.status_code in (200, 302), (url, response.status_code)
        elif role == "other_coordinator":
            # Manages webhooks, but not this organisation's: the endpoint does not exist for them.
            expected = 200 if url in (reverse("webhooks:list"), reverse("webhooks:create")) else 404
            assert response.status_code == expected, (url, response.status_code)
        else:
            assert response.status_code == 403, (url, response.status_code)


def test_lists_show_only_what_the_user_manages(client, pages):
    client.force_login(pages["users"]["coordinator"])
    html = client.get(reverse("webhooks:list")).content.decode()
    assert "Kommunens system" in html and "Bostadsbolagets system" not in html
    client.force_login(pages["users"]["admin"])
    html = client.get(reverse("webhooks:list")).content.decode()
    assert "Kommunens system" in html and "Bostadsbolagets system" in html


def test_coordinator_creates_for_their_own_organisation(client, pages, area):
    client.force_login(pages["users"]["coordinator"])
    response = client.post(reverse("webhooks:create"), {
        "name": "Väktarappen", "url": "https://hooks.example.se/samtrygg", "organization": pages["other"].pk,
        "on_report_created": "on", "areas": [area.pk], "is_active": "on"})
    assert response.status_code == 302
    endpoint = Endpoint.objects.get(name="Väktarappen")
    assert endpoint.organization == pages["org"] and list(endpoint.areas.all()) == [area]
    assert endpoint.secret.startswith("whsec_") and endpoint.created_by == pages["users"]["coordinator"]
    entry = AuditEntry.objects.get(object_type="webhooks.endpoint", object_id=str(endpoint.pk), action="create")
    assert entry.changes["url"][1] == "https://hooks.example.se/samtrygg" and endpoint.secret not in str(entry.changes)
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page and "def verify" in page


def test_admin_chooses_the_organisation(client, pages):
    client.force_login(pages["users"]["admin"])
    response = client.post(reverse("webhooks:create"), {
        "name": "Deras", "url": "https://x.example.se/h", "organization": pages["other"].pk,
        "on_signal_fired": "on", "is_active": "on"})
    assert response.status_code == 302
    assert Endpoint.objects.get(name="Deras").organization == pages["other"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"url": ""}, "url"),
    ({"url": "inte en adress"}, "url"),
    ({"url": "ftp://files.example.se/x"}, "url"),
    ({"url": "http://127.0.0.1:8000/x"}, "url"),
    ({"url": "http://169.254.169.254/latest/meta-data"}, "url"),
    ({"url": "https://x.example.se/" + "a" * 600}, "url"),
    ({"name": ""}, "name"),
    ({"on_report_created": ""}, "__all__"),
    ({"areas": ["999999"]}, "areas"),
])
def test_form_errors(client, pages, settings, changes, field):
    settings.SAMTRYGG_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(pages["users"]["coordinator"])
    data = {"name": "Ny", "url": "https://ok.example.se/h", "on_report_created": "on", "is_active": "on", **changes}
    data = {k: v for k, v in data.items() if v != ""}
    before = Endpoint.objects.count()
    response = client.post(reverse("webhooks:create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Endpoint.objects.count() == before
    assert 'role="alert"' in response.content.decode()


def test_edit_rotate_and_delete_are_audited(client, pages):
    client.force_login(pages["users"]["coordinator"])
    e = pages["mine"]
    response = client.post(reverse("webhooks:edit", args=[e.pk]), {
        "name": "Nytt namn", "url": e.url, "on_signal_fired": "on"})
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.name == "Nytt namn" and not e.on_report_created and e.on_signal_fired and not e.is_active
    change = AuditEntry.objects.get(object_type="webhooks.endpoint", object_id=str(e.pk), action="update")
    assert change.changes["name"] == ["Kommunens system", "Nytt namn"]
    old = e.secret
    client.post(reverse("webhooks:rotate", args=[e.pk]))
    e.refresh_from_db()
    assert e.secret != old and e.secret.startswith("whsec_")
    rotated = AuditEntry.objects.filter(object_id=str(e.pk), summary__contains="new signing secret").get()
    assert old not in str(rotated.changes) and e.secret not in str(rotated.changes)
    assert client.get(reverse("webhooks:rotate", args=[e.pk])).status_code == 405
    client.post(reverse("webhooks:delete", args=[e.pk]))
    assert not Endpoint.objects.filter(pk=e.pk).exists() and not Delivery.objects.filter(endpoint_id=e.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(e.pk), object_type="webhooks.endpoint", action="delete").exists()


def test_test_message_and_retry_through_the_pages(client, pages, receiver):
    client.force_login(pages["users"]["coordinator"])
    e = pages["mine"]
    Endpoint.objects.filter(pk=e.pk).update(url=receiver.url, is_active=True)
    response = client.post(reverse("webhooks:test", args=[e.pk]), follow=True)
    assert "200" in response.content.decode() and len(receiver.received) == 1
    assert receiver.received[0]["headers"]["samtrygg-event"] == "ping"
    ping = e.deliveries.get(event="ping", status=Delivery.Status.SUCCEEDED)
    detail = client.get(reverse("webhooks:detail", args=[e.pk]) + "?status=succeeded").content.decode()
    assert reverse("webhooks:delivery", args=[e.pk, ping.pk]) in detail
    failing = pages["delivery"]
    Delivery.objects.filter(pk=failing.pk).update(status=Delivery.Status.FAILED, attempts=12)
    receiver.answer(500)
    client.post(reverse("webhooks:retry", args=[e.pk, failing.pk]))
    failing.refresh_from_db()
    assert failing.status == Delivery.Status.PENDING and failing.attempts == 1 and failing.last_status_code == 500
    page = client.get(reverse("webhooks:delivery", args=[e.pk, failing.pk])).content.decode()
    assert "HTTP 500" in page
    client.post(reverse("webhooks:retry", args=[e.pk, failing.pk]))
    failing.refresh_from_db()
    assert failing.status == Delivery.Status.SUCCEEDED


def test_another_endpoints_delivery_is_not_found(client, pages):
    client.force_login(pages["users"]["admin"])
    other_delivery = Delivery.objects.create(endpoint=pages["theirs"], event="ping", event_key="x", payload="{}")
    url = reverse("webhooks:delivery", args=[pages["mine"].pk, other_delivery.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("webhooks:detail", args=[pages["mine"].pk]) + "?status=bogus").status_code == 200
