"""Time-pattern and near-repeat services: SQL bucketing in local time, access, errors, and the command."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from samtrygg.categories.models import Category, Sensitivity
from samtrygg.quarterly import patterns_service as svc
from samtrygg.quarterly.quarters import Quarter
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, OrganizationFactory, UserFactory, make_report, square
from tests.quarterly.patterns_data import local, near_repeat_reports


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def reporter_user(org):
    return UserFactory(role="reporter", organization=org)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_daily_and_monthly_counts_use_local_days_across_summer_and_winter_time(reporter_user):
    # 2025-06-30 22:30 UTC is 1 July 00:30 in Stockholm (summer time): July, a Tuesday, hour 0
    make_report(reporter_user, when=utc(2025, 6, 30, 22, 30))
    # 2025-06-30 21:30 UTC is 30 June 23:30: June
    make_report(reporter_user, when=utc(2025, 6, 30, 21, 30))
    # 2025-01-31 23:30 UTC is 1 February 00:30 (winter time, UTC+1): February
    make_report(reporter_user, when=utc(2025, 1, 31, 23, 30))
    # 2025-01-31 22:30 UTC is 31 January 23:30: January
    make_report(reporter_user, when=utc(2025, 1, 31, 22, 30))
    deleted = make_report(reporter_user, when=utc(2025, 3, 10, 12))
    deleted.deleted_at = timezone.now()
    deleted.save()
    daily = svc.daily_counts(date(2025, 1, 1), date(2025, 12, 31))
    assert daily == {(None, date(2025, 7, 1)): 1, (None, date(2025, 6, 30)): 1,
                     (None, date(2025, 2, 1)): 1, (None, date(2025, 1, 31)): 1}
    months, series = svc.monthly_counts((2025, 1), (2025, 7))
    assert months[0] == (2025, 1) and months[-1] == (2025, 7)
    assert series[None].tolist() == [1, 1, 0, 0, 0, 1, 1]


def test_weekday_hour_in_local_time(reporter_user):
    make_report(reporter_user, when=utc(2025, 6, 30, 22, 30))  # Tue 1 July 00:30
    make_report(reporter_user, when=utc(2025, 1, 6, 7, 15))  # Mon 6 January 08:15
    make_report(reporter_user, when=utc(2025, 3, 30, 1, 30))  # Sun 30 March 03:30 CEST (just after the change)
    m = svc.weekday_hour(local(2025, 1, 1, 0), local(2025, 10, 1, 0))
    assert m.sum() == 3
    assert m[1, 0] == 1 and m[0, 8] == 1 and m[6, 3] == 1


def test_time_patterns_by_area_and_category(reporter_user):
    q = Quarter(2025, 2)
    inside = AreaFactory(code="inne", name="Inne", geometry=square(CENTRE_X, CENTRE_Y, 100))
    make_report(reporter_user, category_code="brand", when=local(2025, 5, 5, 20))
    make_report(reporter_user, category_code="klotter", when=local(2025, 5, 6, 21))
    make_report(reporter_user, category_code="klotter", x=CENTRE_X + 5000, when=local(2025, 6, 7, 21))
    make_report(reporter_user, category_code="klotter", when=local(2024, 12, 24, 15))  # before: months
    result = svc.time_patterns(q, area=inside)
    assert result["weekday_hour"]["total"] == 2
    # the first report in the system (24 Dec) starts a partial month: the series starts in January
    assert result["months"][0] == "2025-01" and result["months"][-1] == "2025-06"
    assert result["monthly_counts"] == [0, 0, 0, 0, 2, 0]
    only_fire = svc.time_patterns(q, categories=[Category.objects.get(code="brand")])
    assert only_fire["weekday_hour"]["total"] == 1
    assert [c["category"]["code"] for c in only_fire["by_category"]] == ["brand"]
    everything = svc.time_patterns(q)
    assert everything["weekday_hour"]["total"] == 3
    assert everything["seasonality"]["table"][0][4] == 2  # May 2025
    json.dumps(everything)  # JSON-ready


def test_trend_sentence_words():
    assert "Too few" in svc.trend_sentence(None)
    from samtrygg.analysis.time_patterns import fit_trend

    up = fit_trend((2023, 1), np.round(20 * np.exp(0.4 * np.arange(36) / 12)))
    assert svc.trend_sentence(up).startswith("Rising: +49 % a year (95 % CI +")


def test_near_repeat_service_finds_the_planted_pattern(reporter_user):
    q = Quarter.last_complete()
    near_repeat_reports(reporter_user, q)
    query = svc.NearRepeatQuery(start=q.first_day, end=q.last_day, category=Category.objects.get(code="stold"),
                                space_band=100, time_band=7, permutations=99)
    result = svc.near_repeat(query)
    assert result["events"] == 48
    first = result["table"][1]["cells"][0]
    assert first["observed"] >= 24 and first["significant"]
    assert result["reading"]["distance"] == 100 and result["reading"]["days"] >= 7
    assert "within 100 m is raised for" in result["sentence"]
    assert result["space_bands"][0]["label"] == "Same location"
    assert [b["label"] for b in result["time_bands"]][:2] == ["0–7 days", "8–14 days"]
    assert result["table"][-1]["space"] == "More than 500 m"
    assert sum(c["observed"] for row in result["table"] for c in row["cells"]) == 48 * 47 // 2


def test_near_repeat_too_few_events_says_so(reporter_user):
    q = Quarter.last_complete()
    for i in range(5):
        make_report(reporter_user, category_code="stold", when=q.start() + timedelta(days=i))
    query = svc.NearRepeatQuery(start=q.first_day, end=q.last_day, category=Category.objects.get(code="stold"))
    with pytest.raises(svc.PatternError, match="Only 5 reports of “Stöld och inbrott”.*at least 20"):
        svc.near_repeat(query)


def test_near_repeat_uses_only_what_the_user_may_see(db, org):
    police = OrganizationFactory(code="polisen", name="Polisen", kind="police", sees_sensitive=True)
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse", sensitivity=Sensitivity.SENSITIVE)
    police_reporter = UserFactory(role="reporter", organization=police)
    q = Quarter.last_complete()
    near_repeat_reports(police_reporter, q, category_code="polis_obs", n_seeds=12)
    query = svc.NearRepeatQuery(start=q.first_day, end=q.last_day, category=secret)
    police_analyst = UserFactory(role="analyst", organization=police)
    assert svc.near_repeat(query, user=police_analyst)["events"] == 24
    municipal_analyst = UserFactory(role="analyst", organization=org)
    with pytest.raises(svc.PatternError, match="Only 0 reports"):
        svc.near_repeat(query, user=municipal_analyst)


def test_time_patterns_count_sensitive_reports_only_for_those_who_may_see_them(db, org):
    police = OrganizationFactory(code="polisen", name="Polisen", kind="police", sees_sensitive=True)
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse", sensitivity=Sensitivity.SENSITIVE)
    q = Quarter.last_complete()
    for i in range(3):
        make_report(UserFactory(role="reporter", organization=police), category_code="polis_obs",
                    when=q.start() + timedelta(days=i, hours=22))
    municipal = UserFactory(role="analyst", organization=org)
    police_analyst = UserFactory(role="analyst", organization=police)

    def total(user):
        return sum(map(sum, svc.time_patterns(q, categories=[secret], user=user)["weekday_hour"]["counts"]))

    assert total(police_analyst) == total(None) == 3
    assert total(municipal) == 0  # three reports it may not open: not even their hours


def test_near_repeat_end_before_start(db):
    query = svc.NearRepeatQuery(start=date(2025, 5, 1), end=date(2025, 4, 1), category=Category.objects.first())
    with pytest.raises(svc.PatternError, match="end date is before"):
        svc.near_repeat(query)


# ---- the command ---------------------------------------------------------------------------------

def test_command_prints_the_knox_table_as_json(reporter_user, capsys):
    q = Quarter.last_complete()
    near_repeat_reports(reporter_user, q)
    call_command("near_repeat", "--from", q.first_day.isoformat(), "--to", q.last_day.isoformat(),
                 "--category", "stold", "--space-band", "100", "--time-band", "7", "--permutations", "99",
                 "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["category"]["code"] == "stold" and data["events"] == 48 and data["permutations"] == 99
    cell = data["table"][1]["cells"][0]
    assert set(cell) == {"time", "observed", "expected", "ratio", "p", "significant"}
    assert cell["significant"] and cell["p"] == 0.01
    assert data["sentence"].startswith("After an incident of “Stöld och inbrott”, the risk of another within 100 m")


def test_command_writes_a_file(reporter_user, tmp_path):
    q = Quarter.last_complete()
    near_repeat_reports(reporter_user, q, n_seeds=10)
    out = tmp_path / "nr.json"
    call_command("near_repeat", "--from", q.first_day.isoformat(), "--to", q.last_day.isoformat(),
                 "--category", "STOLD", "-o", str(out))
    assert json.loads(out.read_text())["events"] == 20


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2025-13-01"], "--from: '2025-13-01' is not a date"),
    (["--to", "2024-01-01"], "--to 2024-01-01 is before --from 2025-01-01"),
    (["--category", "nope"], "no category with the code 'nope'; known codes:"),
    (["--space-band", "0"], "--space-band: must be between 1 and 10000, not 0"),
    (["--time-band", "-3"], "--time-band: must be between 1 and 365, not -3"),
    (["--time-band", "x"], "--time-band: 'x' is not a whole number"),
    (["--permutations", "5"], "--permutations: must be between 19 and 999, not 5"),
    (["--format", "csv"], "--format: unknown format 'csv'"),
    ([], "Only 0 reports of “Stöld och inbrott”"),
])
def test_command_bad_input(db, args, message):
    base = {"--from": "2025-01-01", "--to": "2025-03-31", "--category": "stold"}
    argv = []
    for k, v in base.items():
        if k not in args:
            argv += [k, v]
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("near_repeat", *argv, *args)
