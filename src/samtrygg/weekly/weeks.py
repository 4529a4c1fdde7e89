"""ISO 8601 weeks (Swedish week numbers, Monday first) in Europe/Stockholm time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_noop

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Years the interface and the commands accept: four digits would allow year 0, where dates do not exist.
MIN_YEAR, MAX_YEAR = 1900, 2999
_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


class WeekError(ValueError):
    """A week string that is malformed or names a week that does not exist.

    ``str(error)`` is English (the command line, logs); :attr:`message` is the same in the active
    language, for the interface. It is translated only when asked for, so parsing works without Django."""

    def __init__(self, english: str, msgid: str, values: dict):
        super().__init__(english)
        self._msgid, self._values = msgid, values

    @property
    def message(self) -> str:
        return gettext(self._msgid) % self._values


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        m = _WEEK.match(text or "")
        if not m:
            raise WeekError(f"{text!r} is not a week; write it as YYYY-Www, e.g. 2026-W47",
                            gettext_noop("“%(text)s” is not a week; write it as YYYY-Www, for example 2026-W47"),
                            {"text": (text or "")[:60]})
        year, week = int(m.group(1)), int(m.group(2))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise WeekError(f"{text.strip()!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}",
                            gettext_noop("“%(text)s”: the year must be between %(first)s and %(last)s"),
                            {"text": text.strip()[:60], "first": MIN_YEAR, "last": MAX_YEAR})
        if not 1 <= week <= weeks_in_year(year):
            raise WeekError(f"{year} has no week {week} (it has {weeks_in_year(year)} weeks)",
                            gettext_noop("%(year)s has no week %(week)s (it has %(weeks)s weeks)"),
                            {"year": year, "week": week, "weeks": weeks_in_year(year)})
        return cls(year, week)

    @classmethod
    def of(cls, day: date | datetime) -> IsoWeek:
        if isinstance(day, datetime):
            day = day.astimezone(STOCKHOLM).date() if day.tzinfo else day.date()
        y, w, _ = day.isocalendar()
        return cls(y, w)

    @classmethod
    def last_complete(cls, now: datetime | None = None) -> IsoWeek:
        """The most recent week that has ended: what the Monday meeting looks at."""
        now = now or datetime.now(tz=STOCKHOLM)
        return cls.of(now).previous()

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def start(self) -> datetime:
        """Monday 00:00 Stockholm time (aware)."""
        return datetime.combine(self.monday, time(0), tzinfo=STOCKHOLM)

    def end(self) -> datetime:
        """The next Monday 00:00 Stockholm time (exclusive end)."""
        return datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=STOCKHOLM)

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def previous(self) -> IsoWeek:
        return self.shift(-1)

    def next(self) -> IsoWeek:
        return self.shift(1)

    def weeks_until(self, other: IsoWeek) -> int:
        """How many weeks from self to other (negative when other is earlier)."""
        return (other.monday - self.monday).days // 7

    def is_future(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(tz=STOCKHOLM)
        return self.start() > now


def weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def week_range(first: IsoWeek, last: IsoWeek) -> list[IsoWeek]:
    n = first.weeks_until(last)
    return [first.shift(i) for i in range(n + 1)] if n >= 0 else []
