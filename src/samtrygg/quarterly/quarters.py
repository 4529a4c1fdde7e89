"""Calendar quarters in Europe/Stockholm time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_QUARTER = re.compile(r"^\s*(\d{4})-?Q([1-4])\s*$", re.IGNORECASE)


class QuarterError(ValueError):
    """A quarter string that is malformed."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = _QUARTER.match(text or "")
        if not m:
            raise QuarterError(f"{text!r} is not a quarter; write it as YYYY-Qn, e.g. 2026-Q3")
        year = int(m.group(1))
        if not 1900 <= year <= 2999:
            raise QuarterError(f"{text.strip()!r}: the year must be between 1900 and 2999")
        return cls(year, int(m.group(2)))

    @classmethod
    def of(cls, day: date | datetime) -> Quarter:
        if isinstance(day, datetime):
            day = day.astimezone(STOCKHOLM).date() if day.tzinfo else day.date()
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_complete(cls, now: datetime | None = None) -> Quarter:
        now = now or datetime.now(tz=STOCKHOLM)
        return cls.of(now).shift(-1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * (self.quarter - 1) + 1, 1)

    @property
    def last_day(self) -> date:
        nxt = self.shift(1).first_day
        return date.fromordinal(nxt.toordinal() - 1)

    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), tzinfo=STOCKHOLM)

    def end(self) -> datetime:
        """Exclusive end: the first moment of the next quarter."""
        return self.shift(1).start()

    def shift(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.quarter - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    def previous(self) -> Quarter:
        return self.shift(-1)

    def same_last_year(self) -> Quarter:
        return self.shift(-4)

    def is_future(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(tz=STOCKHOLM)
        return self.start() > now
