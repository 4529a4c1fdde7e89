"""The default questionnaire: what Swedish municipalities typically ask residents on a safety walk
(trygghetsundersökning / trygghetsvandring). No personal data: the age band is optional and coarse."""

from __future__ import annotations


def _opt(value: str, sv: str, en: str) -> dict:
    return {"value": value, "label_sv": sv, "label_en": en}


LIKERT_SAFE = [_opt("1", "Mycket otrygg", "Very unsafe"), _opt("5", "Mycket trygg", "Very safe")]
LIKERT_WORRY = [_opt("1", "Inte alls orolig", "Not at all worried"), _opt("5", "Mycket orolig", "Very worried")]
YES_NO = [_opt("yes", "Ja", "Yes"), _opt("no", "Nej", "No")]

DEFAULT_QUESTIONS: list[dict] = [
    {"key": "safe_after_dark", "kind": "likert", "required": True, "measures_safety": True,
     "text_sv": "Hur trygg känner du dig i området när det är mörkt ute?",
     "text_en": "How safe do you feel in the area after dark?",
     "options": LIKERT_SAFE},
    {"key": "safe_daytime", "kind": "likert", "required": True,
     "text_sv": "Hur trygg känner du dig i området på dagtid?",
     "text_en": "How safe do you feel in the area during the day?",
     "options": LIKERT_SAFE},
    {"key": "avoids_places", "kind": "single", "required": False,
     "text_sv": "Undviker du någon plats i området för att du känner dig otrygg?",
     "text_en": "Do you avoid any place in the area because you feel unsafe?",
     "options": YES_NO},
    {"key": "avoided_place", "kind": "map_point", "required": False,
     "condition": {"key": "avoids_places", "values": ["yes"]},
     "text_sv": "Var ligger platsen du undviker?",
     "text_en": "Where is the place you avoid?",
     "help_sv": "Tryck på kartan eller välj en plats i listan.",
     "help_en": "Tap the map or choose a place from the list."},
    {"key": "problems", "kind": "multiple", "required": False,
     "text_sv": "Vilka problem ser du i området?", "text_en": "Which problems do you see in the area?",
     "help_sv": "Välj alla som stämmer.", "help_en": "Choose all that apply.",
     "options": [
         _opt("nedskrapning", "Nedskräpning", "Litter"),
         _opt("klotter", "Klotter", "Graffiti"),
         _opt("belysning", "Dålig belysning", "Poor lighting"),
         _opt("buskage", "Buskage eller skymd sikt", "Bushes or blocked view"),
         _opt("ungdomar", "Stökiga ungdomar", "Rowdy young people"),
         _opt("narkotika", "Narkotikahandel", "Drug dealing"),
         _opt("fordon", "Bilar eller mopeder som kör vårdslöst", "Cars or mopeds driven recklessly"),
         _opt("skadegorelse", "Skadegörelse", "Vandalism"),
         _opt("berusade", "Berusade personer", "Drunk people"),
         _opt("annat", "Annat", "Other"),
     ]},
    {"key": "worry_crime", "kind": "likert", "required": False,
     "text_sv": "Hur orolig är du för att utsättas för brott i området?",
     "text_en": "How worried are you about being a victim of crime in the area?",
     "options": LIKERT_WORRY},
    {"key": "out_after_dark", "kind": "single", "required": False,
     "text_sv": "Hur ofta är du ute i området när det är mörkt?",
     "text_en": "How often are you out in the area after dark?",
     "options": [
         _opt("daily", "Varje dag", "Every day"),
         _opt("weekly", "Varje vecka", "Every week"),
         _opt("monthly", "Någon gång i månaden", "A few times a month"),
         _opt("rarely", "Sällan", "Rarely"),
         _opt("never", "Aldrig", "Never"),
     ]},
    {"key": "safer", "kind": "text", "required": False,
     "text_sv": "Vad skulle få dig att känna dig tryggare i området?",
     "text_en": "What would make you feel safer in the area?",
     "help_sv": "Skriv inte namn, telefonnummer eller andra personuppgifter.",
     "help_en": "Do not write names, phone numbers or other personal data."},
    {"key": "age_band", "kind": "single", "required": False,
     "text_sv": "Din ålder (frivilligt)", "text_en": "Your age (optional)",
     "options": [
         _opt("u18", "Under 18", "Under 18"),
         _opt("18-29", "18–29", "18–29"),
         _opt("30-49", "30–49", "30–49"),
         _opt("50-64", "50–64", "50–64"),
         _opt("65+", "65 eller äldre", "65 or older"),
     ]},
]
