"""The nesting of areas (municipality → district → smaller units)."""

from __future__ import annotations

from .models import Area


def descendant_ids(area: Area) -> set[int]:
    """Ids of every area nested in ``area`` at any depth, active or not (the area itself excluded).
    One query for the whole parent table, which is small, instead of one per level."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Area.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    out, stack = set(), [area.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in out:
                out.add(child)
                stack.append(child)
    return out
