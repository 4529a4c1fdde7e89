"""A small installation with at least one row in every table and a few uploaded files, for the backup test."""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.utils import timezone

from samtrygg.accounts.models import ExternalIdentity, Organization, RolePolicy, User
from samtrygg.actions.models import Action, ActionPhoto
from samtrygg.api import tokens
from samtrygg.api.models import ApiTokenUsage
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.demo import loader
from samtrygg.imports.models import ImportBatch
from samtrygg.quarterly.models import QuarterlyAnalysis
from samtrygg.reports.models import Report, ReportPhoto, SubmissionToken
from samtrygg.walks import questionnaires
from samtrygg.walks.models import Answer, AnswerRateBucket, Feedback, Response
from samtrygg.webhooks.models import Attempt, Delivery, Endpoint
from samtrygg.weekly.models import SignalNotice, Subscription, WeeklyPicture

# Bytes that are not text, not even valid UTF-8: a file must come back exactly as it was.
PNG_LIKE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def fill() -> None:
    loader.load(years=0.05, scale=0.05, end=dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC))
    now = timezone.now()
    user = User.objects.filter(role="coordinator").first()
    org = user.organization
    area = Area.objects.first()
    category = Category.objects.first()
    report = Report.objects.first()
    report.description = "Text med åäö, citattecken \" och radbrytning\nslut"
    report.save()
    ReportPhoto.objects.create(report=report, image=ContentFile(PNG_LIKE, name="photo.png"))
    SubmissionToken.objects.create(token="t" * 40, user=user)
    action = Action.objects.first() or Action.objects.create(title="Städa", responsible=org, start_date=now.date())
    ActionPhoto.objects.create(action=action, image=ContentFile(PNG_LIKE[::-1], name="after.png"))
    ImportBatch.objects.create(organization=org, file=ContentFile(b"a;b\n1;2\n", name="in.csv"),
                               original_name="in.csv", created_by=user)
    RolePolicy.objects.create(role="admin", require_two_factor=True)
    ExternalIdentity.objects.create(user=user, issuer="https://idp.example", subject="abc")
    WeeklyPicture.objects.create(iso_year=2026, iso_week=18, what_we_see="Mycket klotter.")
    sub = Subscription.objects.create(user=user)
    sub.areas.add(area)
    sub.categories.add(category)
    SignalNotice.objects.create(user=user, iso_year=2026, iso_week=18, area=area, category=category)
    QuarterlyAnalysis.objects.create(year=2026, quarter=1, title="Q1", snapshot={"x": [1.5, 2]})
    q = questionnaires.create_questionnaire(user, title="Trygghetsenkät", slug="enkat")
    version = q.versions.get()
    question = version.questions.first()
    response = Response.objects.create(version=version, token="r" * 40)
    Answer.objects.create(response=response, question=question, value={"choice": 3})
    AnswerRateBucket.objects.create(key="k", hour=now.replace(minute=0, second=0, microsecond=0))
    feedback = Feedback.objects.create(questionnaire=q, summary_sv="Tack!")
    feedback.actions.add(action)
    token, _raw = tokens.create_token(user, organization=org, role="reporter", name="system")
    ApiTokenUsage.objects.create(token=token, day=now.date(), requests=3)
    endpoint = Endpoint.objects.create(organization=org, name="app", url="https://example.org/hook")
    endpoint.areas.add(area)
    endpoint.categories.add(category)
    delivery = Delivery.objects.create(endpoint=endpoint, event="report.created", event_key="r1", payload="{}")
    Attempt.objects.create(delivery=delivery, at=now)
    group = Group.objects.create(name="läsare")
    group.permissions.add(Permission.objects.first())
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.last())
    Session.objects.create(session_key="s" * 32, session_data="e30:", expire_date=now + dt.timedelta(days=1))
    LogEntry.objects.create(user=user, content_type=ContentType.objects.get_for_model(Organization),
                            object_id=str(org.pk), object_repr=str(org), action_flag=ADDITION)
    _devices_and_lockouts(user, now)


def _devices_and_lockouts(user, now) -> None:
    from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="telefon")
    device = StaticDevice.objects.create(user=user, name="backup")
    StaticToken.objects.create(device=device, token="12345678")
    common = {"user_agent": "test", "http_accept": "*/*", "path_info": "/login/", "username": "x",
              "ip_address": "127.0.0.1"}
    attempt = AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=1, **common)
    AccessAttemptExpiration.objects.create(access_attempt=attempt, expires_at=now + dt.timedelta(minutes=15))
    AccessFailureLog.objects.create(**common)
    AccessLog.objects.create(**common)
