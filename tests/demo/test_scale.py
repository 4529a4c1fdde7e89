"""generate-scale on a tiny size: the reports arrive through the importer, in the tiled areas, counted."""

import pytest
from django.core.management import CommandError, call_command

from samtrygg.areas.models import Area
from samtrygg.audit.models import AuditEntry
from samtrygg.demo import scale
from samtrygg.reports import aggregates
from samtrygg.reports.models import Report, ReportArea

pytestmark = pytest.mark.django_db


def test_tiles_cover_the_asked_number_of_areas():
    layout = scale.tiles(60)  # 25 districts per copy of the demo town
    assert [len(t.districts) for t in layout] == [25, 25, 10]
    assert len({(t.dx, t.dy) for t in layout}) == 3


def test_generate_scale_loads_through_the_importer(capsys):
    call_command("generate_scale", "--areas", "2", "--years", "1", "--reports", "200", "--end", "2026-06-01")
    out = capsys.readouterr().out
    assert "reports/s through the importer" in out
    assert Area.objects.filter(code__startswith=scale.CODE_PREFIX).count() == 3  # the city and 2 districts
    n = Report.objects.count()
    assert 170 <= n <= 200
    assert set(Report.objects.values_list("source", flat=True)) == {"import"}
    # every report lies in one district and in the city
    assert ReportArea.objects.count() == 2 * n
    first, last = Report.objects.order_by("occurred_at").values_list("occurred_at", flat=True)[::n - 1]
    assert (last - first).days > 300
    assert aggregates.stored() == aggregates.recount()
    assert AuditEntry.objects.filter(action="import").exists()
    with pytest.raises(CommandError, match="already holds"):
        call_command("generate_scale", "--areas", "2", "--years", "1", "--reports", "10")


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError, match="--end"):
        call_command("generate_scale", "--end", "yesterday")
    with pytest.raises(CommandError, match="--areas"):
        call_command("generate_scale", "--areas", "0")
