"""The quarterly ranking pages: live computation, saving a snapshot, editing text, permissions, bad input."""

import re

import pytest
from django.urls import reverse

from samtrygg.audit.models import AuditEntry
from samtrygg.quarterly.models import QuarterlyAnalysis
from samtrygg.quarterly.quarters import Quarter
from samtrygg.reports.services import delete_report, update_report
from tests.quarterly import data

# Shared fixtures (tests/quarterly/data.py), assigned rather than imported so their use as parameters reads plainly.
analyst = data.analyst
clear_signal_cache = data.clear_signal_cache
world = data.world
english = data.english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NEW = reverse("quarterly:new")


def order(html: str) -> list[str]:
    return re.findall(r'<tr data-area="([a-z]+)"', html)


def ranking_table(response) -> str:
    html = response.content.decode()
    return html[html.index('<table class="ranking-table"'):html.index("</table>")]


def params(world, **extra):
    return {"quarter": str(world["quarter"]), "kind": "district", **extra}


def save(client, world, **extra):
    return client.post(NEW, params(world, title="Q-analys", conclusions="Satsa på Alfa.", **extra))


@pytest.fixture
def as_analyst(client, analyst):
    client.force_login(analyst)
    return client


def test_index_lists_saved_analyses_and_offers_the_last_complete_quarter(as_analyst, world):
    from tests.quarterly.data import saved_analysis

    saved_analysis(world["user"], title="Vårens analys")
    html = as_analyst.get(reverse("quarterly:index")).content.decode()
    assert f"?quarter={Quarter.last_complete()}&amp;kind=district" in html
    assert "Vårens analys" in html and "analytiker" in html


def test_new_shows_every_component_and_the_weights_change_the_order(as_analyst, world):
    r = as_analyst.get(NEW, params(world))
    html = r.content.decode()
    assert r.status_code == 200
    assert order(html) == ["alfa", "gamma", "beta"]
    for label in ("Harm per 1 000", "Change, last 4 quarters", "Change, 1 year", "Signal weeks", "Sense of safety"):
        assert label in html
    assert 'id="save-form"' in html
    r = as_analyst.get(NEW, params(world, w_harm="1", w_trend="0", w_year="0", w_signals="0"))
    assert order(r.content.decode()) == ["alfa", "beta", "gamma"]


def test_new_defaults_to_the_last_complete_quarter(as_analyst, world):
    r = as_analyst.get(NEW)
    assert r.status_code == 200 and r.context["snapshot"]["quarter"] == str(Quarter.last_complete())


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"quarter": "2026-Q5"}, "quarter", "is not a quarter"),
    ({"quarter": "nonsense"}, "quarter", "is not a quarter"),
    ({"quarter": str(Quarter.last_complete().shift(3))}, "quarter", "has not started yet"),
    ({"kind": "deso"}, "kind", "There are no areas of the kind"),
    ({"w_harm": "-2"}, "w_harm", "cannot be negative"),
    ({"w_trend": "lots"}, "w_trend", "Enter a number"),
    ({"w_harm": "0", "w_trend": "0", "w_year": "0", "w_signals": "0"}, "weights", "At least one component"),
])
def test_bad_input_is_a_clear_message_tied_to_the_field(as_analyst, world, query, field, message):
    r = as_analyst.get(NEW, {**params(world), **query})
    html = r.content.decode()
    assert r.status_code == 400
    assert message in html
    assert f'id="{field}-error"' in html
    if field != "weights":
        assert f'aria-describedby="{field}-error"' in html
    assert "ranking-table" not in html


def test_a_quarter_without_reports_has_an_empty_state_and_cannot_be_saved(as_analyst, world):
    empty = str(world["quarter"].shift(-12))
    html = as_analyst.get(NEW, {"quarter": empty}).content.decode()
    assert 'id="ranking-empty"' in html and "save-form" not in html
    r = as_analyst.post(NEW, {"quarter": empty, "kind": "district"})
    assert r.status_code == 400 and "nothing to save" in r.content.decode()
    assert not QuarterlyAnalysis.objects.exists()


def test_save_stores_a_snapshot_and_writes_the_audit_log(as_analyst, world, analyst):
    r = save(as_analyst, world, w_signals="0")
    analysis = QuarterlyAnalysis.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("quarterly:detail", args=[analysis.pk])
    assert (analysis.title, analysis.conclusions, analysis.created_by) == ("Q-analys", "Satsa på Alfa.", analyst)
    assert (analysis.year, analysis.quarter) == (world["quarter"].year, world["quarter"].quarter)
    assert analysis.weights["signals"] == 0 and analysis.snapshot["weights"]["signals"] == 0
    assert [a["code"] for a in analysis.snapshot["areas"]] == ["alfa", "beta", "gamma"]
    entry = AuditEntry.objects.get(action="create", object_type="quarterly.quarterlyanalysis")
    assert entry.actor == analyst and entry.object_id == str(analysis.pk) and "signals=0" in entry.summary


def test_save_without_a_title_uses_the_default(as_analyst, world):
    as_analyst.post(NEW, params(world))
    assert QuarterlyAnalysis.objects.get().title.startswith(f"Quarterly analysis {world['quarter']}")


def test_save_with_bad_weights_saves_nothing(as_analyst, world):
    r = save(as_analyst, world, w_harm="-1")
    assert r.status_code == 400 and not QuarterlyAnalysis.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("reporter", 403), ("coordinator", 302),
                                              ("admin", 302), ("analyst", 302)])
def test_who_may_save(client, world, user_factory, role, status):
    client.force_login(user_factory(role, username=f"u-{role}"))
    assert save(client, world).status_code == status
    assert QuarterlyAnalysis.objects.exists() == (status == 302)


def test_viewers_read_but_see_no_save_form(client, world, user_factory):
    client.force_login(user_factory("viewer", username="lasare"))
    html = client.get(NEW, params(world)).content.decode()
    assert "ranking-table" in html and "save-form" not in html


def test_saved_analysis_is_a_snapshot(as_analyst, world):
    save(as_analyst, world)
    analysis = QuarterlyAnalysis.objects.get()
    detail = reverse("quarterly:detail", args=[analysis.pk])
    before = as_analyst.get(detail)
    assert before.context["table"]["rows"][0]["area"]["harm"] == 10
    # Reports change afterwards: the fire in Alfa becomes 5 fires, Beta's fire is deleted.
    update_report(world["user"], world["reports"]["alfa_fire"], quantity=5)
    delete_report(world["user"], world["reports"]["beta_fire"])
    after = as_analyst.get(detail)
    assert ranking_table(after) == ranking_table(before)
    assert "10.0" in ranking_table(after)
    analysis.refresh_from_db()
    assert {a["code"]: a["harm"] for a in analysis.snapshot["areas"]} == {"alfa": 10, "beta": 4, "gamma": 5}
    area_html = as_analyst.get(reverse("quarterly:area", args=[analysis.pk, "alfa"])).content.decode()
    assert "10.0" in area_html  # the saved rate
    live = as_analyst.get(NEW, params(world)).context["snapshot"]
    assert {a["code"]: a["harm"] for a in live["areas"]} == {"alfa": 26, "beta": 0, "gamma": 5}


def test_edit_title_and_conclusions_but_not_the_numbers(as_analyst, world, analyst):
    save(as_analyst, world)
    analysis = QuarterlyAnalysis.objects.get()
    snapshot = analysis.snapshot
    url = reverse("quarterly:detail", args=[analysis.pk])
    r = as_analyst.post(url, {"title": "Ny titel", "conclusions": "Ändrad slutsats.", "snapshot": "{}",
                              "weights": "{}"})
    assert r.status_code == 302
    analysis.refresh_from_db()
    assert (analysis.title, analysis.conclusions) == ("Ny titel", "Ändrad slutsats.")
    assert analysis.snapshot == snapshot
    entry = AuditEntry.objects.get(action="update", object_type="quarterly.quarterlyanalysis")
    assert entry.changes["title"] == ["Q-analys", "Ny titel"] and entry.actor == analyst
    html = as_analyst.get(url).content.decode()
    assert "Ändrad slutsats." in html and "analytiker" in html


def test_edit_with_an_empty_title_is_refused(as_analyst, world):
    save(as_analyst, world)
    analysis = QuarterlyAnalysis.objects.get()
    r = as_analyst.post(reverse("quarterly:detail", args=[analysis.pk]), {"title": " ", "conclusions": "x"})
    assert r.status_code == 400 and 'id="title-error"' in r.content.decode()
    analysis.refresh_from_db()
    assert analysis.title == "Q-analys" and analysis.conclusions == "Satsa på Alfa."


def test_viewer_cannot_edit(client, world, user_factory):
    from tests.quarterly.data import saved_analysis

    analysis = saved_analysis(world["user"])
    client.force_login(user_factory("viewer", username="lasare"))
    url = reverse("quarterly:detail", args=[analysis.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Hackad"}).status_code == 403
    analysis.refresh_from_db()
    assert analysis.title != "Hackad"


def test_area_page_explains_the_rank(as_analyst, world):
    save(as_analyst, world)
    analysis = QuarterlyAnalysis.objects.get()
    r = as_analyst.get(reverse("quarterly:area", args=[analysis.pk, "gamma"]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Gamma is" in html and "no population" in html
    assert f"?quarter={world['quarter']}&amp;area=gamma" in html  # links to hotspots and patterns
    assert as_analyst.get(reverse("quarterly:area", args=[analysis.pk, "nowhere"])).status_code == 404
    assert as_analyst.get(reverse("quarterly:detail", args=[analysis.pk + 99])).status_code == 404


def test_a_quarter_in_year_zero_is_a_clear_error_not_a_500(client, db, user_factory):
    client.force_login(user_factory("analyst"))
    response = client.get("/quarterly/new/?quarter=0000-Q1")
    assert response.status_code < 500
