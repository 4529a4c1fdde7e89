"""Two people editing the same action at once: the second save is refused with a clear message, nothing is
overwritten, the second person keeps what they typed and can re-apply it (optimistic locking)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from samtrygg.actions import services
from samtrygg.actions.models import Action
from samtrygg.audit.models import AuditEntry
from samtrygg.core import locking
from tests.factories import UserFactory
from tests.formdata import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(coordinator, org):
    return services.create_action(coordinator, title="Röja buskage", responsible=org, start_date=date(2026, 11, 16),
                                  description="Vid gångtunneln")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _load(c: Client, action) -> dict:
    response = c.get(reverse("actions:edit", args=[action.pk]))
    assert response.status_code == 200
    return form_fields(response.content, action="")


def test_the_edit_form_carries_the_version(client, coordinator, action):
    client.force_login(coordinator)
    data = _load(client, action)
    assert data["version"] == str(action.version) == "1"


def test_second_save_of_the_same_version_is_refused_and_nothing_is_overwritten(coordinator, org, action):
    anna = UserFactory(username="anna", first_name="Anna", last_name="Berg", organization=org, role="coordinator")
    a, b = _client(anna), _client(coordinator)
    form_a, form_b = _load(a, action), _load(b, action)

    form_a["title"] = "Röja buskage och gallra"
    assert a.post(reverse("actions:edit", args=[action.pk]), form_a).status_code == 302

    form_b["follow_up"] = "Parkenheten har beställt röjning"
    form_b["status"] = "ongoing"
    response = b.post(reverse("actions:edit", args=[action.pk]), form_b)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved changes while you were editing" in page
    assert "Anna Berg" in page  # who
    assert "not saved" in page
    # The small diff: the title is what the other person changed; status and follow-up are B's own changes.
    assert "Röja buskage och gallra" in page
    # B's own typed text is still in the form.
    again = form_fields(page, action="")
    assert again["follow_up"] == "Parkenheten har beställt röjning" and again["status"] == "ongoing"
    assert again["title"] == "Röja buskage"  # B's version of the title, as B submitted it
    action.refresh_from_db()
    assert (action.title, action.follow_up, action.status, action.version) == (
        "Röja buskage och gallra", "", "planned", 2)
    assert AuditEntry.objects.filter(object_type="actions.action", action="update").count() == 1

    # Re-applying is deliberate: the form now carries the current version.
    assert again["version"] == "2"
    again["title"] = "Röja buskage och gallra"  # B keeps A's title this time
    assert b.post(reverse("actions:edit", args=[action.pk]), again).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.follow_up, action.status, action.version) == (
        "Röja buskage och gallra", "Parkenheten har beställt röjning", "ongoing", 3)


def test_the_conflict_table_lists_only_the_fields_that_differ(coordinator, org, action):
    a, b = _client(coordinator), _client(coordinator)
    form_a, form_b = _load(a, action), _load(b, action)
    form_a["description"] = "Vid gångtunneln, norra sidan"
    a.post(reverse("actions:edit", args=[action.pk]), form_a)
    response = b.post(reverse("actions:edit", args=[action.pk]), form_b)  # B changed nothing
    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert [row["label"] for row in conflict.rows] == ["Description"]
    assert conflict.rows[0] == {"label": "Description", "current": "Vid gångtunneln, norra sidan",
                                "yours": "Vid gångtunneln"}


def test_follow_up_by_the_responsible_organisation_conflicts_with_a_coordinators_edit(coordinator, org, action):
    reporter = UserFactory(username="parkarbetare", organization=org, role="reporter")
    r, c = _client(reporter), _client(coordinator)
    form_r, form_c = _load(r, action), _load(c, action)
    assert set(form_r) >= {"status", "follow_up", "version"} and "title" not in form_r
    form_c["status"] = "cancelled"
    assert c.post(reverse("actions:edit", args=[action.pk]), form_c).status_code == 302
    form_r["status"], form_r["follow_up"] = "done", "Klart"
    response = r.post(reverse("actions:edit", args=[action.pk]), form_r)
    assert response.status_code == 409
    action.refresh_from_db()
    assert (action.status, action.follow_up) == ("cancelled", "")


def test_a_post_without_a_version_is_not_checked(client, coordinator, action):
    """Scripts and old forms that send no version keep the old last-write-wins behaviour."""
    client.force_login(coordinator)
    data = _load(client, action)
    Action.objects.filter(pk=action.pk).update(version=7)
    del data["version"]
    data["title"] = "Ny titel"
    assert client.post(reverse("actions:edit", args=[action.pk]), data).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.version) == ("Ny titel", 8)


def test_the_service_refuses_a_stale_version(coordinator, action):
    with pytest.raises(locking.EditConflict) as info:
        services.update_action(coordinator, action, version=0, title="Annan")
    assert (info.value.expected, info.value.current) == (0, 1)
    action.refresh_from_db()
    assert action.title == "Röja buskage"


def test_an_unchanged_stale_form_is_refused_too(coordinator, action):
    """Submitting an old form unchanged would silently bring back the old values: it conflicts as well."""
    fresh = Action.objects.get(pk=action.pk)
    services.update_action(coordinator, fresh, version=1, title="Nyare")
    with pytest.raises(locking.EditConflict):
        services.update_action(coordinator, Action.objects.get(pk=action.pk), version=1, title="Nyare")
