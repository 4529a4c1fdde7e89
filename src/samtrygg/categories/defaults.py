"""The default taxonomy (DESIGN.md, "Default categories"). Codes are stable."""

DEFAULT_CATEGORIES = [
    # code, Swedish name, English name, severity, description
    ("skadegorelse", "Skadegörelse", "Vandalism", "2", "Skadegörelse på egendom"),
    ("klotter", "Klotter", "Graffiti", "1", "Klotter, tags och klistermärken"),
    ("brand", "Brand", "Fire", "4", "Bränder i containrar, bilar, byggnader, papperskorgar"),
    ("stold", "Stöld och inbrott", "Theft and burglary", "3", "Stöld, inbrott, cykelstöld"),
    ("stokiga_ungdomar", "Stökiga ungdomar", "Rowdy youth", "1.5", "Stökiga ungdomar"),
    ("ordningsstorning", "Ordningsstörning", "Disorder", "1.5", "Ordningsstörning, oväsen, berusning"),
    ("narkotika", "Narkotika", "Drugs", "3", "Narkotikabruk eller -försäljning, spår av narkotikabruk"),
    ("folksamling", "Otrygghetsskapande folksamling", "Groups creating insecurity", "2",
     "Folksamlingar som skapar otrygghet"),
    ("hot_vald", "Hot och våld", "Threats and violence", "5", "Hot och våld"),
    ("nedskrapning", "Nedskräpning", "Littering", "0.5", "Nedskräpning, dumpat gods"),
    ("belysning", "Bristande belysning", "Poor lighting", "0.5", "Trasig eller saknad belysning"),
    ("fysisk_miljo", "Otrygg fysisk miljö", "Unsafe physical environment", "0.5",
     "Igenvuxen vegetation, skymda hörn, trasiga staket"),
    ("fordon", "Fordon", "Vehicles", "1.5", "Vårdslösa mopeder, övergivna eller utbrända fordon"),
    ("ovrigt", "Övrigt", "Other", "1", "Allt annat"),
]


def ensure_default_categories(category_model=None) -> int:
    """Create the default categories that are missing (by code). Returns how many were created."""
    from decimal import Decimal

    if category_model is None:
        from .models import Category as category_model
    existing = set(category_model.objects.values_list("code", flat=True))
    created = 0
    for order, (code, name, name_en, severity, description) in enumerate(DEFAULT_CATEGORIES):
        if code in existing:
            continue
        category_model.objects.create(code=code, name=name, name_en=name_en, severity=Decimal(severity),
                                      description=description, sort_order=order * 10)
        created += 1
    return created
