from datetime import date

from samtrygg.actions.models import Action


def make_action(org, *, title="Extra väktarrond", area=None, place=None, status=Action.Status.PLANNED,
                start=date(2026, 11, 16), end=None, week=None, **fields) -> Action:
    return Action.objects.create(
        title=title, responsible=org, area=area, place=place, status=status, start_date=start, end_date=end,
        decided_year=week.year if week else None, decided_week=week.week if week else None, **fields)
