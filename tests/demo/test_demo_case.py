"""The demo city contains the Mikaelsparken place case, dated to match the generated data, with the park's
reports lower after the intervention date."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import call_command

from samtrygg.actions.models import Action
from samtrygg.cases.models import PlaceCase
from samtrygg.demo import case as demo_case
from samtrygg.demo import generator, geography


@pytest.mark.django_db
def test_demo_has_the_mikaelsparken_case():
    call_command("demo", "--no-serve", "--years", "0.6", stdout=io.StringIO())
    case = PlaceCase.objects.get(title=demo_case.TITLE)
    assert case.place.code == "mikaelsparken" and case.control_area.code == "falhagen"
    assert dt.timedelta(weeks=11) <= dt.date.today() - case.intervention_on <= dt.timedelta(weeks=13)
    assert case.partners.count() == 5 and case.journal.count() == 5
    assert case.analysis.checklist["lighting"]["status"] == "problem"
    assert "fritidsgården stänger kl. 19" in case.analysis.checklist["opening_hours"]["note"].lower()
    assert set(case.hypotheses.values_list("verdict", flat=True)) == {"supported", "weakened", "untested"}
    measures = case.measures.order_by("start_date")
    assert measures.count() == 4 and all(m.kind == Action.Kind.LONG_TERM for m in measures)
    assert {m.status for m in measures} == {"done", "ongoing"}
    assert any(m.cost for m in measures) and any(m.cost is None for m in measures)

    call_command("demo", "--no-serve", stdout=io.StringIO())  # loading again makes no second case
    assert PlaceCase.objects.filter(title=demo_case.TITLE).count() == 1


def test_the_parks_background_reports_fall_by_about_40_percent_after_the_intervention():
    end = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    geo = geography.build()
    data = generator.generate(geo, seed=1, years=1.0, end=end)
    park = next(p for p in geo.places if p.code == "mikaelsparken")
    at_park = (np.hypot(data.x - park.x, data.y - park.y) <= park.spec.radius) & (data.outbreak < 0)
    start = np.datetime64(generator.intervention_date(end))
    day = data.occurred_at.astype("datetime64[D]")
    before = (at_park & (day >= start - np.timedelta64(84, "D")) & (day < start)).sum()
    after = (at_park & (day >= start) & (day < start + np.timedelta64(84, "D"))).sum()
    assert 0.4 < after / before < 0.8
    # The rest of the city is untouched: the same reports elsewhere with or without the effect.
    elsewhere = np.hypot(data.x - park.x, data.y - park.y) > park.spec.radius * 1.5
    again = generator.generate(geo, seed=1, years=1.0, end=end)
    assert np.array_equal(data.occurred_at[elsewhere], again.occurred_at[
        np.hypot(again.x - park.x, again.y - park.y) > park.spec.radius * 1.5])
