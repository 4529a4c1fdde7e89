"""The demo city's place case: Mikaelsparken (crowds, drug offences, disorder, thefts), with a filled-in
cause analysis, measures, a journal, and evaluation settings (intervention date, control area) so the
evaluation has data. Part of the demo load, which writes one audit entry for everything.
The generator lowers the park's reports after the same intervention date (`generator.intervention_date`).
Idempotent: nothing happens when the case exists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from samtrygg.accounts.models import Organization, User
from samtrygg.actions.models import Action
from samtrygg.areas.models import Area, Place
from samtrygg.cases import checklist
from samtrygg.cases.models import CasePartner, CauseAnalysis, Hypothesis, JournalEntry, PlaceCase

from . import generator

TITLE = "Mikaelsparken – oro och brott kvällstid"
CONTROL_AREA = "falhagen"  # a comparable district without the measures

PARTNERS = [
    ("kommunledning", "Samordnare, brottsförebyggande rådet", "brottsforebyggande@uppsala.example"),
    ("gatu-samhallsmiljo", "Platsägare: parkenheten (belysning, beskärning, städning)", "parkenheten@uppsala.example"),
    ("kultur-fritid", "Fritidsgården och fältassistenterna", "faltassistenter@uppsala.example"),
    ("polisen-uppsala", "Kommunpolis, närvaro och lägesbild", "kommunpolis.uppsala@polisen.example"),
    ("securitas", "Ordningsvakter kvällstid", "uppdrag.uppsala@securitas.example"),
]

ANALYSIS = {
    "offenders": "Grupper om 10–25 ungdomar och unga vuxna, främst fredag och lördag kl. 19–01. En del kommer från "
                 "andra stadsdelar när fritidsgården stänger kl. 19. Langning av narkotika vid kyrkan och "
                 "bakom scenen.",
    "handlers": "Föräldrar (föräldravandringar), fältassistenter, fritidsledare, skolornas elevhälsa, "
                "socialtjänstens ungdomsteam.",
    "targets": "Parkbesökare som går hem genom parken, cyklar vid södra entrén (stölder), kyrkans fastighet "
               "(skadegörelse), de boende runt parken (störningar).",
    "guardians": "Parkpersonal dagtid, fältassistenter kvällstid, ordningsvakter, polisen, personalen på "
                 "kiosken och fritidsgården.",
    "place_features": "Mörka partier i norra delen, täta buskar vid scenen som skymmer sikten, många "
                      "genvägar ut ur parken. Ingen verksamhet i parken efter kl. 19.",
    "managers": "Kommunens parkenhet (Gatu- och samhällsmiljö) äger och sköter parken; Svenska kyrkan äger "
                "kyrkogården intill.",
    "conclusions": "Problemen hänger ihop med mörker, skymd sikt och att ingen vuxen finns på plats efter kl. 19. "
                   "Partnerna väljer: ny belysning och beskärning (platsägaren), längre öppettider på fritidsgården "
                   "fredag–lördag (Kultur och fritid) och ökad polisnärvaro fredag–lördag kväll (polisen). "
                   "Uppföljning efter tolv veckor med jämförelse mot Fålhagen.",
}

CHECKLIST = {
    checklist.LIGHTING: ("problem", "Fem av tolv armaturer i norra delen trasiga; gångvägen mot kyrkan helt mörk."),
    checklist.SIGHT_LINES: ("problem", "Scenen och bänkarna bakom den syns inte från gatan."),
    checklist.VEGETATION: ("problem", "Buskagen vid scenen är 2 m höga och igenvuxna."),
    checklist.MAINTENANCE: ("problem", "Glas och skräp kvar på måndagarna; papperskorgar fulla."),
    checklist.OWNERSHIP: ("ok", "Kommunens park; kyrkans mark intill är tydligt avgränsad."),
    checklist.OPENING_HOURS: ("problem", "Fritidsgården stänger kl. 19, precis när grupperna kommer."),
    checklist.ACCESS: ("unknown", "Många genvägar; oklart vilka som används mest. Kolla vid kvällsvandring."),
    checklist.NEGLECT: ("problem", "Klotter på scenen och elskåpen, nedskräpning."),
    checklist.HIDING_PLACES: ("problem", "Dolda hörn bakom scenen och vid kyrkmuren."),
    checklist.ESCAPE_ROUTES: ("ok", ""),
}

HYPOTHESES = [
    ("Mörkret i norra delen gör att grupper samlas och langning sker där utan insyn.",
     "Två av tre anmälningar sker efter mörkrets inbrott; flest i norra delen.", "supported"),
    ("Grupperna kommer när fritidsgården stänger kl. 19.",
     "Ökningen börjar kl. 19–20 fredag och lördag; fältassistenterna bekräftar.", "supported"),
    ("Cykelstölderna beror på att parken saknar cykelställ med ramlås.",
     "Stölderna sker lika ofta dagtid; inget tydligt samband med ställen.", "weakened"),
    ("Problemen har flyttat hit från Stora torget efter kamerabevakningen där.",
     "Inte undersökt ännu; jämför med Stora torget i datablad.", "untested"),
]

# (title, organisation code, start offset from intervention in days, end offset, status, cost, description)
MEASURES = [
    ("Ny belysning i norra delen och mot kyrkan", "gatu-samhallsmiljo", -14, 10, Action.Status.DONE, "185000",
     "Tolv nya LED-armaturer, två nya stolpar vid gångvägen mot kyrkan."),
    ("Beskärning av buskar vid scenen", "gatu-samhallsmiljo", -7, 3, Action.Status.DONE, "42000",
     "Buskagen ned till 0,7 m, trädkronor uppstammade till 2 m."),
    ("Ändrade öppettider på fritidsgården fredag–lördag (till kl. 23)", "kultur-fritid", 0, 180,
     Action.Status.ONGOING, "120000", "Två extra fritidsledare fredag och lördag kväll."),
    ("Ökad polisnärvaro fredag–lördag kväll", "polisen-uppsala", 0, 84, Action.Status.ONGOING, None,
     "Synlig närvaro kl. 20–01, samverkan med ordningsvakterna."),
]

# (days from intervention, kind, text)
JOURNAL = [
    (-42, JournalEntry.Kind.MEETING, "Uppstartsmöte. Polisen och parkenheten beskriver läget; ärendet öppnas."),
    (-35, JournalEntry.Kind.MEETING, "Trygghetsvandring kvällstid med fältassistenter och parkenheten."),
    (-28, JournalEntry.Kind.DECISION, "Orsaksanalysen godkänd. Beslut om belysning, beskärning, öppettider och "
                                      "polisnärvaro."),
    (0, JournalEntry.Kind.NOTE, "Åtgärderna i gång: belysning och beskärning klara, fritidsgården öppen längre."),
    (42, JournalEntry.Kind.MEETING, "Avstämning: färre anmälningar, men en ny grupp kvällstid i mitten av perioden."),
]


def ensure_case(end: dt.datetime) -> PlaceCase | None:
    """Create the demo case (once). `end` is the demo data's end, so the dates follow the generated data."""
    park = Place.objects.filter(code=generator.PARK).first()
    if park is None or PlaceCase.objects.filter(place=park, title=TITLE).exists():
        return None
    start = generator.intervention_date(end)
    coordinator = User.objects.filter(username="samordnare").first()
    orgs = {o.code: o for o in Organization.objects.filter(code__in=[p[0] for p in PARTNERS])}
    with transaction.atomic():
        case = PlaceCase.objects.create(
            title=TITLE, place=park,
            problem="Folksamlingar, narkotikabrott, ordningsstörningar och stölder i Mikaelsparken kvällstid, "
                    "särskilt fredag och lördag. Boende och kyrkan larmar; polisens lägesbild visar samma sak.",
            status=PlaceCase.Status.FOLLOW_UP, opened_on=start - dt.timedelta(days=42),
            follow_up_on=start + dt.timedelta(weeks=13), intervention_on=start,
            control_area=Area.objects.filter(code=CONTROL_AREA).first(), buffer_m=400,
            coordinator=coordinator, created_by=coordinator)
        for code, role, contact in PARTNERS:
            if code in orgs:
                CasePartner.objects.create(case=case, organization=orgs[code], role=role, contact=contact)
        CauseAnalysis.objects.create(
            case=case, updated_by=coordinator,
            checklist={code: {"status": status, "note": note} for code, (status, note) in CHECKLIST.items()},
            **ANALYSIS)
        Hypothesis.objects.bulk_create([Hypothesis(case=case, text=t, evidence=e, verdict=v)
                                        for t, e, v in HYPOTHESES])
        for title, org_code, first, last, status, cost, description in MEASURES:
            Action.objects.create(
                title=title, description=description, kind=Action.Kind.LONG_TERM, case=case, place=park,
                area=park.area, responsible=orgs[org_code], start_date=start + dt.timedelta(days=first),
                end_date=start + dt.timedelta(days=last), status=status,
                cost=Decimal(cost) if cost else None, created_by=coordinator)
        JournalEntry.objects.bulk_create([
            JournalEntry(case=case, happened_on=start + dt.timedelta(days=days), kind=kind, text=text,
                         created_by=coordinator) for days, kind, text in JOURNAL])
    return case
