"""What reaches the audit log without an explicit ``log.record`` call: logins, and the domain models whose
services do not write their own entries.

:data:`EXPLICIT` lists the models whose services (or admin) write their own entries, with richer summaries;
they get no signal handlers, so nothing is logged twice. :data:`AUTOMATIC` get a create/change/delete entry
from ``post_save``/``post_delete``. :data:`NOT_AUDITED` says why the rest are left out.
``tests/audit/test_coverage.py`` fails when a model of the project is in none of the three.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import context, log

EXPLICIT = {
    "reports.report": "reports/services.py (create, change, delete, restore)",
    "reports.reportphoto": "part of the report's entry (reports/services.py, views_report.py)",
    "imports.importbatch": "one import entry per file (imports/importer.py)",
    "actions.action": "actions/services.py and actions/admin.py",
    "actions.actionphoto": "the action's photos entry (cases/services.py)",
    "cases.placecase": "cases/services.py",
    "cases.casepartner": "the case's partners entry (cases/services.py)",
    "cases.journalentry": "cases/services.py",
    "cases.causeanalysis": "cases/services.py",
    "cases.hypothesis": "the cause analysis entry (cases/services.py)",
    "weekly.weeklypicture": "weekly/meeting.py",
    "walks.safetywalk": "walks/services_walks.py",
    "walks.walkparticipant": "the walk's entry (walks/services_walks.py)",
    "walks.observation": "walks/services_walks.py",
    "walks.questionnaire": "walks/questionnaires.py, walks/results.py",
    "walks.questionnaireversion": "the questionnaire's questions entry (walks/questionnaires.py)",
    "walks.question": "the questionnaire's questions entry (walks/questionnaires.py)",
    "walks.feedback": "walks/results.py",
    "api.apitoken": "api/tokens.py",
    "webhooks.endpoint": "webhooks/views.py",
    "quarterly.quarterlyanalysis": "quarterly/views.py (save, edit conclusions)",
}

# Code that writes its own entry for one of these wraps the save in ``context.suppress_signals()``.
AUTOMATIC = {
    "accounts.organization", "accounts.user", "accounts.rolepolicy", "accounts.externalidentity",
    "areas.area", "areas.place", "categories.category", "weekly.subscription",
}

NOT_AUDITED = {
    "audit.auditentry": "the log itself",
    "reports.reportarea": "derived: which areas a report's point falls in, recomputed from geometry",
    "reports.reportplace": "derived: which places a report's point falls in",
    "reports.reportcount": "derived: pre-aggregated counts, recomputed from the reports (rebuild-counts)",
    "reports.countversion": "derived: a counter per week for cache keys, raised by every report write",
    "reports.submissiontoken": "a one-time token against double submission of the report form",
    "weekly.signalnotice": "written by the system: which signals were e-mailed",
    "walks.response": "residents' anonymous answers: not tied to anyone; counted in the results",
    "walks.answer": "part of an anonymous response",
    "walks.answerratebucket": "rate limiting of the public questionnaire",
    "api.apitokenusage": "request counting for an API key's rate limit",
    "webhooks.delivery": "outgoing messages and their retries, shown on the webhook's page",
    "webhooks.attempt": "one try of a delivery",
}

# Never copied into the log.
SECRET_FIELDS = {"password", "key", "key_hash", "secret", "token", "session_data"}
SKIP_FIELDS = {"last_login", "last_login_at", "updated_at", "modified_at", "version"}
MAX_VALUE = 200


class _Secret:
    """A secret field's value: compared to notice a change, written to the log only as •••."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, _Secret) and other.value == self.value

    def __hash__(self):
        return 0

    def __str__(self):
        return "•••" if self.value else ""


def _value(value: Any) -> Any:
    value = log._plain(value)
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return value[:MAX_VALUE] + f"… ({len(value)})"
    return value


def snapshot(instance) -> dict[str, Any]:
    out = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in SKIP_FIELDS:
            continue
        if field.name in SECRET_FIELDS:
            out[field.name] = _Secret(getattr(instance, field.attname))
            continue
        out[field.name] = _value(getattr(instance, field.attname))
    return out


def _label(sender) -> str:
    return sender._meta.label_lower


def before_save(sender, instance, raw=False, **kwargs):
    if raw or context.signals_suppressed() or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


def after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or context.signals_suppressed():
        return
    if update_fields is not None and set(update_fields) <= SKIP_FIELDS:
        return  # e.g. last_login on login: the login entry says it
    if sender is get_user_model() and update_fields is not None and set(update_fields) == {"password"}:
        return  # Django upgrading a password's hash at login (check_password); changes save the whole user
    # As stored (a decimal set as 7 reads back as 7.00): compared like with like, saving twice logs once.
    stored = sender._default_manager.filter(pk=instance.pk).first()
    after = snapshot(stored if stored is not None else instance)
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = after
    if created or before is None:
        log.record(context.current_actor(), "create", instance, summary=str(instance),
                   changes=log.diff({}, after))
        return
    changes = log.diff(before, after)
    if changes:
        log.record(context.current_actor(), "update", instance, summary=str(instance), changes=changes)


def after_delete(sender, instance, **kwargs):
    if context.signals_suppressed():
        return
    log.record(context.current_actor(), "delete", instance, summary=str(instance))


def connect() -> None:
    for label in AUTOMATIC:
        model = apps.get_model(label)
        uid = f"samtrygg-audit-{label}"
        pre_save.connect(before_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(after_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(after_delete, sender=model, dispatch_uid=uid + "-delete")


@receiver(user_logged_in, dispatch_uid="samtrygg-audit-login")
def on_login(sender, request, user, **kwargs):
    log.record(user, "login", user, summary=user.get_username())


@receiver(user_logged_out, dispatch_uid="samtrygg-audit-logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        log.record(user, "logout", user, summary=user.get_username())


@receiver(user_login_failed, dispatch_uid="samtrygg-audit-login-failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    """The name tried (never the password); no object, since the name may not be a user."""
    name = str((credentials or {}).get("username") or "")[:150]
    log.record(None, "login_failed", object_type="accounts.user", summary=name)


def project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("samtrygg.")]
