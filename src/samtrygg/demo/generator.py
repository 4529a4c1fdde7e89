"""Synthetic incident reports for the demo city, generated with numpy (no Django here).

Deterministic: `generate(seed, years, end)` returns exactly the same reports for the same three
arguments. `samtrygg demo` passes `end` = now, so the data always runs up to today; everything that
depends on the calendar (outbreak weeks, "last month") is placed relative to the ISO week of `end`, and
all randomness comes from one `numpy.random.Generator` seeded with `seed`. Tests pass a fixed `end`.

What is in the data (about 350 reports a week, ~55 000 over three years):

- **Per-area base rates** proportional to population × a district "hotness" (Centrum, Gottsunda,
  Gränby, Stenhagen and the industrial Boländerna are hot; Kåbo, Sunnersta and Norby are calm), with
  per-category twists (night-life disorder and violence in Centrum, thefts and fires in Boländerna,
  fires and drugs in Gottsunda/Gränby/Stenhagen). A slight upward trend: more partners report over time.
- **Seasonality**: fires spike at New Year's Eve/New Year's Day, around Easter (Maundy Thursday to
  Easter Monday) and on Valborg (30 April); graffiti, rowdy youth, groups and littering peak in the
  summer (school holidays); burglaries and poor-lighting reports peak in the dark months; littering
  spikes on 1 May (after Valborg) and Midsummer.
- **Weekday and hour patterns**: disorder, violence and rowdy youth on Friday/Saturday evenings and
  nights; vandalism and graffiti at night; littering, physical environment and lighting reported in
  working hours; burglaries in the evening.
- **Repeat locations**: a share of each category is clustered on the named places (Mikaelsparken,
  Gottsunda centrum, Resecentrum, Stora torget, …) and on three fixed "hot addresses" per district.
- **Near-repeats**: some burglaries, fires and vandalism are followed within days by more of the same
  within ~200 m.
- **Planted outbreaks** (see `OUTBREAKS`; weeks counted back from the ISO week that contains `end`,
  week 0 being that week):
  1. *graffiti wave* in Kvarngärdet, weeks −7 … −5 (three weeks), ~60 extra reports a week, often with
     quantity > 1, at night along one street;
  2. *car-fire series* in Gränby, weeks −4 … −2, ~6 extra car fires a week around two car parks, late
     at night;
  3. *disorder spike* in Mikaelsparken, weeks −18 … −15, ~30 extra reports a week of disorder, groups
     and drugs, in the evenings, mostly Friday/Saturday: what made the partners open the place case,
     before its measures started.
- **Measures that worked** (the demo place case, `demo/case.py`): from `INTERVENTION_WEEKS` (12) weeks
  before the week of `end`, 40 % of Mikaelsparken's background reports are removed (not the planted spike).
- **Organisations**: each report comes from a plausible partner (parks department for littering and
  graffiti in the daytime, the housing company only in its districts, the police for crime, guards at
  night, the schools on weekdays, public transport at stations and centres). The police-only
  sensitive category `polis_iakttagelse` is reported only by the police.
- **Descriptions**: about a third of the reports carry a short Swedish free text, never personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from samtrygg.analysis import geo

from .geography import Geography

STOCKHOLM = ZoneInfo("Europe/Stockholm")
REPORTS_PER_WEEK = 350  # rough total, before outbreaks and near-repeats

ORGS = [
    # code, name, kind, sees_sensitive
    ("kommunledning", "Uppsala kommun – Kommunledningskontoret", "municipal_department", False),
    ("kultur-fritid", "Uppsala kommun – Kultur och fritid", "municipal_department", False),
    ("gatu-samhallsmiljo", "Uppsala kommun – Gatu- och samhällsmiljö", "municipal_department", False),
    ("utbildning", "Uppsala kommun – Utbildning", "municipal_department", False),
    ("uppsalahem", "Uppsalahem", "municipal_company", False),
    ("polisen-uppsala", "Polisen Uppsala", "police", True),
    ("securitas", "Securitas", "security_company", False),
    ("region-uppsala", "Region Uppsala", "region", False),
    ("fyrisfastigheter", "Fyrisfastigheter AB", "property_owner", False),
    ("ul", "UL (Upplands Lokaltrafik)", "municipal_company", False),
]
ORG_INDEX = {code: i for i, (code, *_rest) in enumerate(ORGS)}

# Districts where the municipal housing company has its estates.
HOUSING_DISTRICTS = {"gottsunda", "granby", "stenhagen", "savja", "valsatra", "salabacke", "eriksberg",
                     "flogsta", "kvarngardet", "arsta", "nyby"}
# Districts where the (fictional) private property owner has buildings.
PRIVATE_OWNER_DISTRICTS = {"centrum", "luthagen", "svartbacken", "falhagen", "bolanderna", "kungsgardet",
                           "arsta"}

SENSITIVE_CATEGORY = ("polis_iakttagelse", "Polisens iakttagelse", "Police observation", "2",
                      "Polisens egna iakttagelser, endast för polisen och samordnare med behörighet")


def _hours(ranges: dict[tuple[int, int], float], base: float = 0.2) -> np.ndarray:
    """A 24-hour weight profile: `base` everywhere, `weight` in each [start, end) hour range (wraps)."""
    out = np.full(24, base)
    for (start, end), weight in ranges.items():
        hours = range(start, end) if start < end else [*range(start, 24), *range(0, end)]
        for h in hours:
            out[h] = weight
    return out


NIGHT = _hours({(21, 24): 2.5, (0, 4): 3.0, (18, 21): 1.2}, 0.15)
EVENING = _hours({(16, 19): 1.5, (19, 24): 2.5, (0, 2): 1.2}, 0.2)
DAY = _hours({(7, 12): 2.5, (12, 17): 2.0, (17, 20): 0.8}, 0.05)
DAYTIME_DISCOVERY_NIGHT_ACT = _hours({(6, 10): 2.0, (10, 16): 1.0, (21, 24): 1.2, (0, 4): 1.5}, 0.2)
FLAT = _hours({(8, 22): 1.0}, 0.4)

#               Mon  Tue  Wed  Thu  Fri  Sat  Sun
WEEKEND = np.array([0.8, 0.8, 0.85, 0.95, 1.6, 1.8, 1.1])
WORKDAYS = np.array([1.2, 1.2, 1.2, 1.2, 1.1, 0.35, 0.3])
EVEN = np.ones(7)


@dataclass(frozen=True)
class CategorySpec:
    share: float  # of REPORTS_PER_WEEK
    hours: np.ndarray
    weekday: np.ndarray
    season: str  # summer | winter | flat | spring
    amplitude: float  # of the yearly cosine, 0..1
    orgs: dict[str, float]
    nightlife: bool = False  # extra weight on Fri/Sat evening and the early hours after
    fires: bool = False  # New Year, Easter, Valborg spikes
    youth: bool = False  # school summer holidays
    place_share: float = 0.1  # of events clustered on named places
    near_repeat: float = 0.0  # share of events that start a near-repeat chain
    quantity: float = 0.0  # p of the geometric distribution for quantity (0 = always 1)
    district_mod: dict[str, float] = field(default_factory=dict)
    place_mod: dict[str, float] = field(default_factory=dict)


CATEGORIES: dict[str, CategorySpec] = {
    "nedskrapning": CategorySpec(
        0.19, DAY, WORKDAYS, "summer", 0.5,
        {"gatu-samhallsmiljo": 6, "uppsalahem": 2, "fyrisfastigheter": 1, "ul": 0.5, "utbildning": 0.5},
        place_share=0.25, place_mod={"stadsparken": 3, "stora-torget": 2, "mikaelsparken": 2}),
    "klotter": CategorySpec(
        0.17, DAYTIME_DISCOVERY_NIGHT_ACT, EVEN, "summer", 0.45,
        {"gatu-samhallsmiljo": 4, "uppsalahem": 3, "utbildning": 1.5, "fyrisfastigheter": 1.5, "ul": 1,
         "securitas": 1, "polisen-uppsala": 0.3},
        place_share=0.12, quantity=0.45, district_mod={"bolanderna": 0.5}),
    "skadegorelse": CategorySpec(
        0.13, NIGHT, WEEKEND, "summer", 0.2,
        {"gatu-samhallsmiljo": 2, "uppsalahem": 2, "utbildning": 2, "polisen-uppsala": 1.5, "securitas": 1.5,
         "fyrisfastigheter": 1, "ul": 1},
        nightlife=True, fires=True, place_share=0.12, near_repeat=0.05, quantity=0.8,
        district_mod={"bolanderna": 1.5}),
    "ordningsstorning": CategorySpec(
        0.085, NIGHT, WEEKEND, "summer", 0.3,
        {"polisen-uppsala": 4, "securitas": 3, "ul": 1, "uppsalahem": 1, "region-uppsala": 0.5},
        nightlife=True, place_share=0.3, district_mod={"centrum": 2.5, "flogsta": 1.5, "bolanderna": 0.2},
        place_mod={"stora-torget": 3, "resecentrum": 2, "mikaelsparken": 3, "forumtorget": 2}),
    "stokiga_ungdomar": CategorySpec(
        0.085, EVENING, WEEKEND, "summer", 0.45,
        {"kultur-fritid": 3, "securitas": 2, "ul": 1.5, "polisen-uppsala": 1, "uppsalahem": 1,
         "utbildning": 1},
        nightlife=True, youth=True, place_share=0.3, district_mod={"bolanderna": 0.2},
        place_mod={"gottsunda-centrum": 4, "granby-centrum": 3, "stenhagens-centrum": 3, "resecentrum": 2}),
    "stold": CategorySpec(
        0.07, EVENING, EVEN, "winter", 0.45,
        {"polisen-uppsala": 5, "securitas": 1, "fyrisfastigheter": 0.5, "uppsalahem": 0.5,
         "region-uppsala": 0.3},
        place_share=0.1, near_repeat=0.12, district_mod={"bolanderna": 2.0, "centrum": 1.3},
        place_mod={"resecentrum": 4, "mikaelsparken": 2}),
    "belysning": CategorySpec(
        0.045, _hours({(7, 10): 2.0, (15, 19): 2.0}, 0.1), WORKDAYS, "winter", 0.8,
        {"gatu-samhallsmiljo": 3, "uppsalahem": 1.5, "kultur-fritid": 0.5, "fyrisfastigheter": 0.5},
        place_share=0.1),
    "fysisk_miljo": CategorySpec(
        0.035, DAY, WORKDAYS, "summer", 0.6,
        {"gatu-samhallsmiljo": 3, "uppsalahem": 1.5, "fyrisfastigheter": 1, "utbildning": 0.5},
        place_share=0.15),
    "fordon": CategorySpec(
        0.035, EVENING, WEEKEND, "spring", 0.5,
        {"polisen-uppsala": 2, "gatu-samhallsmiljo": 2, "uppsalahem": 1},
        place_share=0.05),
    "brand": CategorySpec(
        0.03, NIGHT, WEEKEND, "flat", 0.0,
        {"polisen-uppsala": 3, "securitas": 1, "uppsalahem": 1.5, "utbildning": 0.5,
         "gatu-samhallsmiljo": 0.5},
        fires=True, place_share=0.05, near_repeat=0.1,
        district_mod={"gottsunda": 1.6, "granby": 1.5, "stenhagen": 1.5, "bolanderna": 1.5}),
    "narkotika": CategorySpec(
        0.03, EVENING, EVEN, "flat", 0.1,
        {"polisen-uppsala": 4, "securitas": 1, "gatu-samhallsmiljo": 1, "kultur-fritid": 0.5},
        place_share=0.35, district_mod={"gottsunda": 1.6, "granby": 1.4, "stenhagen": 1.4},
        place_mod={"mikaelsparken": 5, "gottsunda-centrum": 3, "resecentrum": 1.5}),
    "folksamling": CategorySpec(
        0.03, EVENING, WEEKEND, "summer", 0.4,
        {"polisen-uppsala": 2, "securitas": 2, "kultur-fritid": 1, "ul": 1},
        nightlife=True, youth=True, place_share=0.45,
        place_mod={"gottsunda-centrum": 3, "granby-centrum": 2, "resecentrum": 2, "mikaelsparken": 2}),
    "hot_vald": CategorySpec(
        0.018, NIGHT, WEEKEND, "flat", 0.1,
        {"polisen-uppsala": 6, "securitas": 1, "region-uppsala": 0.5, "ul": 0.5},
        nightlife=True, place_share=0.25, district_mod={"centrum": 3.0},
        place_mod={"stora-torget": 3, "resecentrum": 2}),
    "polis_iakttagelse": CategorySpec(
        0.022, EVENING, WEEKEND, "flat", 0.1, {"polisen-uppsala": 1},
        place_share=0.3, district_mod={"gottsunda": 1.5, "granby": 1.3, "stenhagen": 1.3},
        place_mod={"mikaelsparken": 3, "gottsunda-centrum": 3}),
    "ovrigt": CategorySpec(
        0.02, FLAT, WORKDAYS, "flat", 0.0,
        {code: 1 for code in ORG_INDEX if code != "kommunledning"}, place_share=0.1),
}

DESCRIPTIONS: dict[str, list[str]] = {
    "nedskrapning": ["Mycket skräp kring bänkarna", "Dumpade möbler vid återvinningsstationen",
                     "Papperskorgarna överfulla", "Glassplitter på lekplatsen",
                     "Pizzakartonger och burkar i gräset", "Dumpade säckar bakom förrådet"],
    "klotter": ["Tags på busskuren", "Klotter på fasaden mot gångvägen", "Klistermärken på skyltar",
                "Nytt klotter på tunneln", "Stora tags på skolans gavel", "Klotter på elskåp"],
    "skadegorelse": ["Krossad ruta i entrédörren", "Sönderslagen parkbänk",
                     "Trasig belysningsstolpe efter sparkar", "Uppbrutet cykelställ",
                     "Krossade glasrutor i busskuren", "Sönderslagen papperskorg"],
    "ordningsstorning": ["Högljudd fest sent på natten", "Berusade personer bråkar",
                         "Musik och oväsen efter midnatt", "Flaskor kastas mot fasaden",
                         "Berusad person somnat i entrén"],
    "stokiga_ungdomar": ["Ungdomar kastar sten mot bussar", "Grupp ungdomar stör i centrumgången",
                         "Smällare kastas i trapphuset", "Ungdomar klättrar på taket",
                         "Mopeder kör på gångvägen"],
    "stold": ["Inbrott i källarförråd", "Cykelstöld vid stationen", "Inbrott i bil på parkeringen",
              "Försök till inbrott i lägenhet", "Stöld av verktyg från byggarbetsplats",
              "Inbrott i förskola"],
    "belysning": ["Tre lampor släckta längs gångvägen", "Mörkt vid busshållplatsen",
                  "Trasig gatlykta vid tunneln", "Belysningen i parken ur funktion"],
    "fysisk_miljo": ["Igenvuxna buskar skymmer gångvägen", "Trasigt staket mot järnvägen",
                     "Skymd och mörk passage", "Nedfallen skylt", "Buskage behöver beskäras"],
    "fordon": ["Mopeder kör i hög fart i parken", "Övergiven bil utan skyltar",
               "Utbränd bil på parkeringen", "Crossmotorcyklar på fotbollsplanen"],
    "brand": ["Brand i container", "Brand i papperskorg", "Bilbrand på parkeringen", "Brand i soprum",
              "Eld i buskage", "Anlagd brand i barnvagnsrum"],
    "narkotika": ["Sprutor hittade i buskaget", "Misstänkt langning vid entrén",
                  "Lukt av cannabis i trapphus", "Folk samlas och handlar vid gångtunneln"],
    "folksamling": ["Stor grupp samlas vid entrén varje kväll",
                    "Grupp som upplevs hotfull vid busshållplatsen", "Många samlade och spelar hög musik"],
    "hot_vald": ["Slagsmål utanför krogen", "Person hotad vid busshållplatsen", "Misshandel på torget",
                 "Väktare hotad vid entrén"],
    "polis_iakttagelse": ["Känt sällskap återkommer till platsen",
                          "Fordon med misstänkt koppling till langning", "Iakttagelse vid spaning",
                          "Uppgift om planerat bråk"],
    "ovrigt": ["Löst springande hund", "Vattenläcka i gångtunneln", "Hål i asfalten", "Övergiven cykel"],
}
DESCRIPTION_SHARE = 0.35


@dataclass(frozen=True)
class Outbreak:
    name: str
    categories: tuple[str, ...]
    district: str  # district code
    place: str | None  # place code, if clustered on a place
    first_week: int  # weeks before the ISO week of `end` (7 = seven weeks ago)
    weeks: int
    per_week: int
    hours: np.ndarray
    weekday: np.ndarray
    orgs: dict[str, float]
    spread: float  # metres, standard deviation around the outbreak's centre line or point
    quantity: float = 0.0


OUTBREAKS = [
    Outbreak("graffiti wave", ("klotter",), "kvarngardet", None, 7, 3, 60,
             _hours({(22, 24): 3, (0, 4): 3, (6, 9): 1.5}, 0.1), EVEN,
             {"gatu-samhallsmiljo": 3, "uppsalahem": 2, "securitas": 1}, 60, quantity=0.3),
    Outbreak("car-fire series", ("brand",), "granby", None, 4, 3, 6,
             _hours({(23, 24): 3, (0, 4): 3}, 0.05), EVEN,
             {"polisen-uppsala": 3, "securitas": 1, "uppsalahem": 1}, 50),
    Outbreak("disorder in Mikaelsparken", ("ordningsstorning", "folksamling", "narkotika"), "svartbacken",
             "mikaelsparken", 18, 4, 30, _hours({(18, 24): 3, (0, 2): 2}, 0.1), WEEKEND,
             {"polisen-uppsala": 3, "securitas": 2, "gatu-samhallsmiljo": 0.5}, 40),
]
OUTBREAK_DESCRIPTIONS = {
    "graffiti wave": ["Samma tag på flera fasader längs gatan", "Nytt klotter igen, samma signatur",
                      "Tags på nästan alla elskåp på gatan"],
    "car-fire series": ["Bilbrand på parkeringen", "Ännu en bil i brand i natt",
                        "Brand i bil, spred sig till bilen bredvid"],
    "disorder in Mikaelsparken": ["Stor grupp i parken, hög musik och bråk", "Langning vid kyrkan",
                                  "Berusade personer och glas överallt"],
}


@dataclass
class DemoReports:
    """Column arrays, one element per report, sorted by time."""

    occurred_at: np.ndarray  # datetime64[s], UTC
    category: np.ndarray  # str codes
    x: np.ndarray  # EPSG:3006
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    district: np.ndarray  # index into geography.districts (where it was generated)
    organization: np.ndarray  # index into ORGS
    quantity: np.ndarray
    description: np.ndarray  # str, '' for none
    outbreak: np.ndarray  # index into OUTBREAKS, -1 for background reports

    def __len__(self) -> int:
        return len(self.occurred_at)

    def local_times(self) -> np.ndarray:
        """Europe/Stockholm wall-clock times as naive datetime64[s]."""
        return self.occurred_at + _utc_offsets(self.occurred_at)


# ---- calendar ------------------------------------------------------------------------------------

def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the "anonymous" algorithm). Hand-written: the stdlib has no Easter, and
    python-dateutil is not a dependency for ten lines of arithmetic."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def midsummer_eve(year: int) -> dt.date:
    """The Friday between 19 and 25 June."""
    day = dt.date(year, 6, 19)
    return day + dt.timedelta(days=(4 - day.weekday()) % 7)


def fire_days(years) -> dict[dt.date, float]:
    """Days with many fires and their multipliers: New Year's Eve/Day, Easter, Valborg."""
    out: dict[dt.date, float] = {}
    for year in years:
        out[dt.date(year, 12, 31)] = 10.0
        out[dt.date(year, 1, 1)] = 6.0
        out[dt.date(year, 4, 30)] = 6.0
        easter = easter_sunday(year)
        for offset, mult in ((-3, 2.5), (-2, 3.0), (-1, 5.0), (0, 3.0), (1, 2.5)):
            out[easter + dt.timedelta(days=offset)] = mult
    return out


def _utc_offsets(utc: np.ndarray) -> np.ndarray:
    """Europe/Stockholm UTC offset for each UTC instant, as timedelta64[s] (DST-aware)."""
    # Offsets only change at DST switches; look them up once per distinct UTC hour.
    hours = utc.astype("datetime64[h]")
    unique, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array([
        int(dt.datetime.fromisoformat(str(h)).replace(tzinfo=dt.UTC).astimezone(STOCKHOLM)
            .utcoffset().total_seconds())
        for h in unique.astype("datetime64[s]")
    ], dtype="int64")
    return offsets[inverse].astype("timedelta64[s]")


def _local_to_utc(local: np.ndarray) -> np.ndarray:
    """Naive Stockholm wall-clock datetime64[s] → UTC datetime64[s] (offset taken at the local day's noon)."""
    days = local.astype("datetime64[D]")
    unique, inverse = np.unique(days, return_inverse=True)
    offsets = np.array([
        int(dt.datetime.fromisoformat(str(d)).replace(hour=12, tzinfo=STOCKHOLM).utcoffset().total_seconds())
        for d in unique
    ], dtype="int64")
    return local - offsets[inverse].astype("timedelta64[s]")


def week_start(end: dt.datetime) -> dt.date:
    """Monday of the ISO week (Stockholm time) that contains `end`."""
    local = end.astimezone(STOCKHOLM).date()
    return local - dt.timedelta(days=local.weekday())


def outbreak_window(outbreak: Outbreak, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """First day and the day after the last day (Stockholm dates) of an outbreak."""
    first = week_start(end) - dt.timedelta(weeks=outbreak.first_week)
    return first, first + dt.timedelta(weeks=outbreak.weeks)


# ---- sampling helpers ----------------------------------------------------------------------------

def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(weights, float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One index per row of a (n, k) weight matrix, vectorised inverse-CDF sampling."""
    cdf = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cdf[:, -1]
    return np.minimum((u[:, None] > cdf).sum(axis=1), weights.shape[1] - 1)


def uniform_in_polygon(rng: np.random.Generator, polygon, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n points uniformly inside a polygon: vectorised rejection sampling from its bounding box."""
    xs, ys = [np.empty(0)], [np.empty(0)]
    got = 0
    min_x, min_y, max_x, max_y = polygon.bounds
    ratio = max(polygon.area / ((max_x - min_x) * (max_y - min_y)), 0.05)
    shapely.prepare(polygon)
    while got < n:
        m = int((n - got) / ratio * 1.2) + 16
        x = rng.uniform(min_x, max_x, m)
        y = rng.uniform(min_y, max_y, m)
        keep = shapely.contains_xy(polygon, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _season(spec: CategorySpec, doy: np.ndarray) -> np.ndarray:
    peak = {"summer": 196, "winter": 15, "spring": 130, "flat": 0}[spec.season]
    return 1 + spec.amplitude * np.cos(2 * np.pi * (doy - peak) / 365.25)


def _weekday_hour(spec: CategorySpec) -> np.ndarray:
    """7 × 24 weights: weekday profile × hour profile, plus Fri/Sat night life when asked for."""
    w = np.outer(spec.weekday, spec.hours)
    if spec.nightlife:
        w[4, 21:] *= 2.5  # Friday evening
        w[5, 21:] *= 2.5  # Saturday evening
        w[5, :4] *= 2.5  # the small hours of Saturday
        w[6, :4] *= 2.5  # the small hours of Sunday
    return w


# ---- the generator -------------------------------------------------------------------------------

def generate(geography: Geography, *, seed: int = 1, years: float = 3.0,
             end: dt.datetime | None = None, scale: float = 1.0) -> DemoReports:
    """Reports from `years` before `end` up to `end` (aware datetime; default now). `scale`
    multiplies every rate (tests use a small one)."""
    rng = np.random.default_rng(seed)
    end = end or dt.datetime.now(dt.UTC)
    end_utc = np.datetime64(end.astimezone(dt.UTC).replace(tzinfo=None), "s")
    last_day = end.astimezone(STOCKHOLM).date()
    first_day = last_day - dt.timedelta(days=round(years * 365.25))
    days = np.arange(np.datetime64(first_day), np.datetime64(last_day) + 1)
    py_days = days.astype(object)
    doy = np.array([d.timetuple().tm_yday for d in py_days])
    dow = np.array([d.weekday() for d in py_days])
    trend = np.linspace(0.85, 1.15, len(days))
    fires = fire_days(range(first_day.year, last_day.year + 1))
    fire_mult = np.array([fires.get(d, 1.0) for d in py_days])
    holidays = np.array([(d.month == 6 and d.day >= 12) or d.month == 7 or (d.month == 8 and d.day <= 18)
                         for d in py_days])
    litter_days = np.array([(d.month, d.day) == (5, 1) or d == midsummer_eve(d.year) + dt.timedelta(days=1)
                            for d in py_days])

    districts = geography.districts
    codes = [d.code for d in districts]
    place_codes = [p.code for p in geography.places]
    population = np.array([d.spec.population for d in districts], float)
    hot = np.array([d.spec.hot for d in districts])
    # Three fixed "hot addresses" per district: repeat locations that are not named places.
    hot_points = [uniform_in_polygon(rng, d.polygon, 3) for d in districts]

    parts: list[dict[str, np.ndarray]] = []
    for cat_code, spec in CATEGORIES.items():
        wh = _weekday_hour(spec)
        day_weight = wh.sum(axis=1)[dow] / wh.sum(axis=1).mean()
        season = _season(spec, doy)
        if spec.fires:
            season = season * fire_mult
        if spec.youth:
            season = season * np.where(holidays, 1.5, 1.0)
        if cat_code == "nedskrapning":
            season = season * np.where(litter_days, 5.0, 1.0)
        lam = REPORTS_PER_WEEK * spec.share / 7 * scale * day_weight * season * trend
        counts = rng.poisson(lam)
        n = int(counts.sum())
        if n == 0:
            continue
        day_idx = np.repeat(np.arange(len(days)), counts)
        cdf = np.cumsum(wh, axis=1)
        cdf /= cdf[:, -1:]
        hour = (rng.random(n)[:, None] > cdf[dow[day_idx]]).sum(axis=1)
        local = (days[day_idx].astype("datetime64[s]") + hour.astype("timedelta64[h]")
                 + rng.integers(0, 3600, n).astype("timedelta64[s]"))

        # Where: a named place, or a district (a hot address in it, or anywhere in it).
        district = np.empty(n, dtype=np.int64)
        place = np.full(n, -1)
        at_place = rng.random(n) < spec.place_share
        k = int(at_place.sum())
        place_w = np.array([spec.place_mod.get(c, 1.0) for c in place_codes])
        place[at_place] = _pick(rng, place_w, k)
        district[at_place] = [geography.places[i].district for i in place[at_place]]
        district_w = population * hot * np.array([spec.district_mod.get(c, 1.0) for c in codes])
        district[~at_place] = _pick(rng, district_w, n - k)
        x, y = _locate(rng, geography, district, place, hot_points)

        parts.append(dict(local=local, category=np.full(n, cat_code, dtype=object), x=x, y=y,
                          district=district, place=place, hour=hour, outbreak=np.full(n, -1)))
        if spec.near_repeat:
            parts.append(_near_repeats(rng, parts[-1], spec, geography))

    parts.extend(_outbreaks(rng, geography, end))
    data = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    # Drop what falls after `end` (the rest of today) and put points outside the town back inside.
    occurred = _local_to_utc(data["local"])
    keep = occurred <= end_utc
    data = {key: value[keep] for key, value in data.items()}
    occurred = occurred[keep]
    _inside(rng, geography, data)

    n = len(occurred)
    org = _organisations(rng, data, geography)
    quantity = np.ones(n, dtype=np.int64)
    for cat_code, spec in CATEGORIES.items():
        if spec.quantity:
            mask = data["category"] == cat_code
            quantity[mask] = np.minimum(rng.geometric(spec.quantity, int(mask.sum())), 25)
    for i, ob in enumerate(OUTBREAKS):
        mask = data["outbreak"] == i
        if ob.quantity:
            quantity[mask] = np.minimum(rng.geometric(ob.quantity, int(mask.sum())), 25)
    description = _descriptions(rng, data)

    # The Mikaelsparken place case (demo/case.py): its measures start INTERVENTION_WEEKS before `end`, and
    # the park's background reports fall by PARK_DROP from then on. Done last, with its own generator, so
    # every other report (and every earlier draw) is exactly what it was without the case.
    keep = _park_measures_effect(seed, geography, data, occurred, end)
    data = {key: value[keep] for key, value in data.items()}
    occurred, org, quantity, description = occurred[keep], org[keep], quantity[keep], description[keep]

    order = np.argsort(occurred, kind="stable")
    lon, lat = geo.sweref_to_wgs84(data["x"][order], data["y"][order])
    return DemoReports(
        occurred_at=occurred[order], category=data["category"][order].astype(str),
        x=data["x"][order], y=data["y"][order], lon=np.round(lon, 6), lat=np.round(lat, 6),
        district=data["district"][order], organization=org[order], quantity=quantity[order],
        description=description[order], outbreak=data["outbreak"][order],
    )


INTERVENTION_WEEKS = 12  # the demo case's measures started this many weeks before the ISO week of `end`
PARK_DROP = 0.4  # share of the park's background reports that the measures prevent
PARK = "mikaelsparken"


def intervention_date(end: dt.datetime) -> dt.date:
    """The Monday the demo case's measures started (Stockholm date)."""
    return week_start(end) - dt.timedelta(weeks=INTERVENTION_WEEKS)


def _park_measures_effect(seed: int, geography: Geography, data, occurred, end: dt.datetime) -> np.ndarray:
    """Rows to keep: drop PARK_DROP of the background reports within the park's radius after the intervention
    date. Planted outbreaks (the "last month" disorder spike) are left whole."""
    park = next((p for p in geography.places if p.code == PARK), None)
    keep = np.ones(len(occurred), dtype=bool)
    if park is None:
        return keep
    start = _local_to_utc(np.array([np.datetime64(intervention_date(end), "s")]))[0]
    at_park = np.hypot(data["x"] - park.x, data["y"] - park.y) <= park.spec.radius * 1.5
    candidates = np.flatnonzero(at_park & (data["outbreak"] < 0) & (occurred >= start))
    drop = np.random.default_rng([seed, 5]).random(len(candidates)) < PARK_DROP
    keep[candidates[drop]] = False
    return keep


def _locate(rng, geography: Geography, district, place, hot_points, hot_share: float = 0.12):
    n = len(district)
    x = np.empty(n)
    y = np.empty(n)
    at_place = place >= 0
    if at_place.any():
        radius = np.array([geography.places[i].spec.radius for i in place[at_place]])
        px = np.array([geography.places[i].x for i in place[at_place]])
        py = np.array([geography.places[i].y for i in place[at_place]])
        x[at_place] = px + rng.normal(0, radius / 2)
        y[at_place] = py + rng.normal(0, radius / 2)
    at_hot = ~at_place & (rng.random(n) < hot_share)
    for d in np.unique(district[~at_place]):
        rows = np.flatnonzero(~at_place & (district == d))
        hot_rows = rows[at_hot[rows]]
        plain_rows = rows[~at_hot[rows]]
        polygon = geography.districts[d].polygon
        x[plain_rows], y[plain_rows] = uniform_in_polygon(rng, polygon, len(plain_rows))
        hx, hy = hot_points[d]
        which = rng.integers(0, 3, len(hot_rows))
        x[hot_rows] = hx[which] + rng.normal(0, 15, len(hot_rows))
        y[hot_rows] = hy[which] + rng.normal(0, 15, len(hot_rows))
    return x, y


def _near_repeats(rng, base: dict[str, np.ndarray], spec: CategorySpec, geography: Geography):
    """Follow-ups to a share of `base`: 1–4 more within ~200 m and a few days."""
    seeds = np.flatnonzero(rng.random(len(base["x"])) < spec.near_repeat)
    per_seed = 1 + rng.poisson(0.8, len(seeds))
    src = np.repeat(seeds, per_seed)
    n = len(src)
    angle = rng.uniform(0, 2 * np.pi, n)
    dist = 200 * np.sqrt(rng.random(n))
    delay_days = np.ceil(rng.exponential(4, n)).astype(np.int64)
    hour = (rng.random(n)[:, None] > np.cumsum(spec.hours) / spec.hours.sum()).sum(axis=1)
    local = (base["local"][src].astype("datetime64[D]") + delay_days.astype("timedelta64[D]")).astype(
        "datetime64[s]") + hour.astype("timedelta64[h]") + rng.integers(0, 3600, n).astype("timedelta64[s]")
    return dict(local=local, category=base["category"][src], x=base["x"][src] + dist * np.cos(angle),
                y=base["y"][src] + dist * np.sin(angle), district=base["district"][src],
                place=np.full(n, -1), hour=hour, outbreak=np.full(n, -1))


def _outbreaks(rng, geography: Geography, end: dt.datetime) -> list[dict[str, np.ndarray]]:
    codes = [d.code for d in geography.districts]
    place_codes = [p.code for p in geography.places]
    parts = []
    for i, ob in enumerate(OUTBREAKS):
        first, _stop = outbreak_window(ob, end)
        n = ob.per_week * ob.weeks
        d = codes.index(ob.district)
        # Days weighted by the weekday profile, hours by the hour profile.
        all_days = np.arange(np.datetime64(first), np.datetime64(first) + 7 * ob.weeks)
        dow = (all_days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
        day = all_days[_pick(rng, ob.weekday[dow], n)]
        hour = _pick(rng, ob.hours, n)
        local = day.astype("datetime64[s]") + hour.astype("timedelta64[h]") + rng.integers(
            0, 3600, n).astype("timedelta64[s]")
        if ob.place:
            p = geography.places[place_codes.index(ob.place)]
            x = p.x + rng.normal(0, ob.spread, n)
            y = p.y + rng.normal(0, ob.spread, n)
        else:
            # Along a 600 m line (a street) or around two points (car parks) inside the district.
            cx, cy = uniform_in_polygon(rng, geography.districts[d].polygon.buffer(-250), 2)
            if len(ob.categories) == 1 and ob.categories[0] == "klotter":
                t = rng.random(n)
                x = cx[0] + t * (cx[1] - cx[0]) + rng.normal(0, ob.spread / 4, n)
                y = cy[0] + t * (cy[1] - cy[0]) + rng.normal(0, ob.spread / 4, n)
            else:
                which = rng.integers(0, 2, n)
                x = cx[which] + rng.normal(0, ob.spread, n)
                y = cy[which] + rng.normal(0, ob.spread, n)
        category = np.array(ob.categories, dtype=object)[rng.integers(0, len(ob.categories), n)]
        parts.append(dict(local=local, category=category, x=x, y=y, district=np.full(n, d),
                          place=np.full(n, place_codes.index(ob.place) if ob.place else -1),
                          hour=hour, outbreak=np.full(n, i)))
    return parts


def _inside(rng, geography: Geography, data: dict[str, np.ndarray]) -> None:
    """Any point that fell outside its district (jitter near an edge) is drawn again inside it."""
    for d, district in enumerate(geography.districts):
        rows = np.flatnonzero(data["district"] == d)
        outside = rows[~shapely.contains_xy(district.polygon, data["x"][rows], data["y"][rows])]
        if len(outside):
            data["x"][outside], data["y"][outside] = uniform_in_polygon(rng, district.polygon, len(outside))


def _organisations(rng, data, geography: Geography) -> np.ndarray:
    """The reporting organisation: category weights, modulated by hour, weekday, district and place."""
    housing = np.array([d.code in HOUSING_DISTRICTS for d in geography.districts])
    private = np.array([d.code in PRIVATE_OWNER_DISTRICTS for d in geography.districts])
    n = len(data["x"])
    weights = np.zeros((n, len(ORGS)))
    for cat_code, spec in CATEGORIES.items():
        mask = data["category"] == cat_code
        for org_code, w in spec.orgs.items():
            weights[mask, ORG_INDEX[org_code]] = w
    for i, ob in enumerate(OUTBREAKS):
        mask = data["outbreak"] == i
        weights[mask] = 0
        for org_code, w in ob.orgs.items():
            weights[mask, ORG_INDEX[org_code]] = w
    hour = data["hour"]
    weekday = (data["local"].astype("datetime64[D]").view("int64") - 4) % 7
    night = (hour >= 22) | (hour < 6)
    col = ORG_INDEX
    weights[:, col["securitas"]] *= np.where(night, 2.0, 0.2)
    weights[:, col["utbildning"]] *= np.where((weekday < 5) & (hour >= 7) & (hour < 17), 1.0, 0.03)
    weights[:, col["gatu-samhallsmiljo"]] *= np.where((hour >= 6) & (hour < 18), 1.0, 0.25)
    weights[:, col["kultur-fritid"]] *= np.where((hour >= 15) & (hour < 23), 1.0, 0.2)
    weights[:, col["uppsalahem"]] *= np.where(housing[data["district"]], 1.0, 0.05)
    weights[:, col["fyrisfastigheter"]] *= np.where(private[data["district"]], 1.0, 0.05)
    transit = np.array([p.spec.kind in ("station", "centre") for p in geography.places] + [False])
    weights[:, col["ul"]] *= np.where(transit[data["place"]], 2.0, 0.4)
    empty = weights.sum(axis=1) == 0
    weights[empty, col["polisen-uppsala"]] = 1.0
    return _pick_rows(rng, weights)


def _descriptions(rng, data) -> np.ndarray:
    n = len(data["x"])
    out = np.full(n, "", dtype=object)
    has = rng.random(n) < DESCRIPTION_SHARE
    for cat_code, texts in DESCRIPTIONS.items():
        mask = has & (data["category"] == cat_code) & (data["outbreak"] < 0)
        out[mask] = np.array(texts, dtype=object)[rng.integers(0, len(texts), int(mask.sum()))]
    for i, ob in enumerate(OUTBREAKS):
        mask = (data["outbreak"] == i) & (rng.random(n) < 0.6)
        texts = OUTBREAK_DESCRIPTIONS[ob.name]
        out[mask] = np.array(texts, dtype=object)[rng.integers(0, len(texts), int(mask.sum()))]
    return out
