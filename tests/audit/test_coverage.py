"""Logins, automatic model coverage without double entries, and the registry of what is audited how."""

import pytest
from django.urls import reverse

from samtrygg.audit import signals
from samtrygg.audit.models import AuditEntry
from samtrygg.categories.models import Category
from tests.factories import PASSWORD, make_report


def test_every_project_model_is_audited_explicitly_automatically_or_deliberately_not():
    labels = {m._meta.label_lower for m in signals.project_models()}
    listed = set(signals.EXPLICIT) | signals.AUTOMATIC | set(signals.NOT_AUDITED)
    assert labels - listed == set(), "models nobody decided about: add them to samtrygg.audit.signals"
    assert listed - labels == set(), "listed models that no longer exist"
    assert not (set(signals.EXPLICIT) & signals.AUTOMATIC), "a model in both lists would be logged twice"


@pytest.mark.django_db
def test_login_failed_login_and_logout_are_recorded(client, reporter):
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client.post(reverse("login"), {"username": "rapportor", "password": "wrong-password"})
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.summary == "rapportor" and "wrong" not in str(failed.changes)
    client.post(reverse("login"), {"username": "rapportor", "password": PASSWORD})
    assert AuditEntry.objects.filter(action="login", actor=reporter).count() == 1
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="logout", actor=reporter).count() == 1
    # last_login changed on login: no separate "changed user" entry
    assert not AuditEntry.objects.filter(id__gt=before, action="update", object_type="accounts.user").exists()


@pytest.mark.django_db
def test_models_without_their_own_entries_are_recorded_with_the_request_user(client, admin_user):
    client.force_login(admin_user)
    category = Category.objects.get(code="klotter")
    from samtrygg.audit import context

    request = type("R", (), {"user": admin_user})()
    token = context._request.set(request)
    try:
        category.severity = 7
        category.save()
        category.save()  # nothing changed: no entry
    finally:
        context._request.reset(token)
    entries = AuditEntry.objects.filter(object_type="categories.category", object_id=str(category.pk))
    assert entries.count() == 1
    entry = entries.get()
    assert entry.action == "update" and entry.actor == admin_user
    assert float(entry.changes["severity"][1]) == 7


@pytest.mark.django_db
def test_password_is_never_copied_into_the_log(user_factory):
    user = user_factory("viewer", username="viewer1")
    user.set_password("another-password-456")
    user.save()
    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk), action="update").latest("id")
    assert entry.changes["password"] == ["•••", "•••"]
    assert "another-password" not in str(AuditEntry.objects.values_list("changes", flat=True))


@pytest.mark.django_db
def test_a_report_created_and_changed_through_its_service_gets_one_entry_each(reporter):
    from samtrygg.reports import services

    report = make_report(reporter)
    services.update_report(reporter, report, description="ny text")
    actions = list(AuditEntry.objects.filter(object_type="reports.report", object_id=str(report.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update"]
