"""Reports already made near a new one, so the reporter notices a likely duplicate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from .access import visible_reports
from .models import Report

RADIUS_M = 250
WEEKS = 4
LIMIT = 20


@dataclass
class Nearby:
    report: Report
    distance_m: int


def nearby_reports(user, report: Report, *, radius_m: float = RADIUS_M, weeks: int = WEEKS,
                   limit: int = LIMIT) -> list[Nearby]:
    """Reports the user may see within `radius_m` metres that happened in the `weeks` before this one
    (or since), nearest first. The database narrows by an indexed box; the circle is exact."""
    since = report.occurred_at - timedelta(weeks=weeks)
    until = max(timezone.now(), report.occurred_at)
    candidates = (
        visible_reports(user)
        .exclude(pk=report.pk)
        .filter(x__gte=report.x - radius_m, x__lte=report.x + radius_m,
                y__gte=report.y - radius_m, y__lte=report.y + radius_m,
                occurred_at__gte=since, occurred_at__lte=until)
        .select_related("category", "organization")
        .order_by("-occurred_at")[:500]
    )
    found = []
    for other in candidates:
        distance = math.hypot(other.x - report.x, other.y - report.y)
        if distance <= radius_m:
            found.append(Nearby(other, round(distance)))
    found.sort(key=lambda n: (n.distance_m, -n.report.occurred_at.timestamp()))
    return found[:limit]
