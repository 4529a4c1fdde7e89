"""`samtrygg send-reminders`: before a measure's end date and a case's follow-up date, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from samtrygg.actions.models import Action
from samtrygg.cases.models import PlaceCase
from tests.factories import PlaceFactory


@pytest.fixture
def setup(db, org, police_org, user_factory):
    today = timezone.localdate()
    boss = user_factory("coordinator", username="boss", email="boss@kommun.se")
    user_factory("coordinator", username="noemail", email="")
    user_factory("reporter", username="rep", email="rep@kommun.se")  # not a coordinator: no mail
    user_factory("coordinator", username="cop", organization=police_org, email="cop@polisen.se")
    case = PlaceCase.objects.create(title="Parken", place=PlaceFactory(code="p"), problem="x", opened_on=today,
                                    follow_up_on=today + timedelta(days=5), coordinator=boss)
    soon = Action.objects.create(title="Ny belysning", responsible=org, case=case, kind="long_term",
                                 start_date=today - timedelta(days=30), end_date=today + timedelta(days=6))
    later = Action.objects.create(title="Beskärning", responsible=org, case=case, kind="long_term",
                                  start_date=today, end_date=today + timedelta(days=20))
    done = Action.objects.create(title="Klar", responsible=org, case=case, status="done",
                                 start_date=today - timedelta(days=30), end_date=today + timedelta(days=1))
    return {"case": case, "soon": soon, "later": later, "done": done}


def test_reminders_go_out_once(setup, capsys):
    call_command("send_reminders")
    assert len(mail.outbox) == 2
    measure_mail = next(m for m in mail.outbox if "Ny belysning" in m.subject)
    assert measure_mail.to == ["boss@kommun.se"]  # the responsible organisation's coordinators with an e-mail
    assert f"/actions/{setup['soon'].pk}/" in measure_mail.body
    case_mail = next(m for m in mail.outbox if "Parken" in m.subject)
    assert case_mail.to == ["boss@kommun.se"] and f"/cases/{setup['case'].pk}/" in case_mail.body
    setup["soon"].refresh_from_db()
    setup["case"].refresh_from_db()
    assert setup["soon"].reminder_sent_at and setup["case"].follow_up_reminder_sent_at
    assert Action.objects.get(pk=setup["later"].pk).reminder_sent_at is None
    assert "Sent 2 reminder(s)" in capsys.readouterr().out

    call_command("send_reminders")
    assert len(mail.outbox) == 2  # nothing twice


def test_days_option_reaches_further(setup):
    call_command("send_reminders", days=30)
    assert len(mail.outbox) == 3
    for title in ("Beskärning", "Ny belysning", "Parken"):
        assert any(title in m.subject for m in mail.outbox), title


def test_new_follow_up_date_gets_a_new_reminder(setup, client):
    from samtrygg.cases import services

    call_command("send_reminders")
    case = setup["case"]
    services.update_case(None, case, follow_up_on=case.follow_up_on + timedelta(days=1))
    case.refresh_from_db()
    assert case.follow_up_reminder_sent_at is None
    call_command("send_reminders")
    assert len(mail.outbox) == 3


def test_no_recipient_is_reported_not_marked(setup, org, capsys):
    setup["soon"].responsible = org.__class__.objects.create(code="tom", name="Tom org")
    setup["soon"].save()
    call_command("send_reminders")
    assert "No recipient" in capsys.readouterr().err
    setup["soon"].refresh_from_db()
    assert setup["soon"].reminder_sent_at is None
