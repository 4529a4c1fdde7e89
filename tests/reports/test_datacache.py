"""Results cached under the data's versions are computed again after any change they depend on."""

from django.utils import translation

from samtrygg.reports import datacache, services
from tests.factories import AreaFactory, OrganizationFactory, category, make_report


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"n": self.calls}


def test_a_result_is_computed_once_until_a_report_changes(db):
    AreaFactory(code="a")
    compute = Counter()
    first = datacache.cached("t", ("x",), compute)
    assert datacache.cached("t", ("x",), compute) == first and compute.calls == 1
    assert datacache.cached("t", ("other",), compute) != first  # another key part
    report = make_report()
    assert datacache.cached("t", ("x",), compute)["n"] == 3  # created
    datacache.cached("t", ("x",), compute)
    services.update_report(None, report, quantity=4)
    assert datacache.cached("t", ("x",), compute)["n"] == 4  # edited
    services.delete_report(None, report)
    assert datacache.cached("t", ("x",), compute)["n"] == 5  # soft-deleted


def test_reference_data_and_language_are_part_of_the_key(db):
    org = OrganizationFactory(code="o", name="Org")
    compute = Counter()
    datacache.cached("t", (), compute)
    graffiti = category("klotter")
    graffiti.severity = 4
    graffiti.save()
    assert datacache.cached("t", (), compute)["n"] == 2
    org.name = "Another name"
    org.save()
    assert datacache.cached("t", (), compute)["n"] == 3
    with translation.override("sv"):
        assert datacache.cached("t", (), compute)["n"] in (3, 4)
        swedish = datacache.cached("t", (), compute)["n"]
    with translation.override("en"):
        english = datacache.cached("t", (), compute)["n"]
    assert english != swedish and compute.calls == english


def test_none_is_not_kept(db):
    calls = []
    assert datacache.cached("t", (), lambda: calls.append(1)) is None
    assert datacache.cached("t", (), lambda: calls.append(1)) is None
    assert len(calls) == 2
