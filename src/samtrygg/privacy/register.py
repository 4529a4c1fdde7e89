"""The register of processing activities (registerförteckning, GDPR art. 30), kept as data in the code.

Each activity says why personal data is processed, on what legal basis, about whom, which data, who receives it
and how long it is kept. The retention of reports is read from the categories (set by admins), so the register
shows what `samtrygg apply-retention` actually does. Change this file when the processing changes; the page
/privacy/register/ shows it to admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Activity:
    key: str
    name: str
    purpose: str
    legal_basis: str
    subjects: str
    data: str
    recipients: str
    retention: str


ACTIVITIES = (
    Activity(
        "reports", _("Reports of incidents and unsafe places"),
        _("Collect and analyse incidents so that the municipality, the police and partners can see the whole "
          "picture each week and decide on interventions (EST)."),
        _("Public interest task (GDPR art. 6.1 e) under the municipality's crime prevention responsibility; "
          "police observations: the Swedish Criminal Data Act (brottsdatalagen) for the police's own data."),
        _("Reporting staff of the partners; people who may be mentioned in free text or shown in photos."),
        _("Name of the reporting user and organisation, time, place, category; free text and photos that may "
          "contain personal data (warned about when written)."),
        _("Partner organisations according to the permission table; sensitive categories only to those "
          "granted them; open data only aggregated, counts under 5 suppressed."),
        "",  # drawn from the categories, see category_retention()
    ),
    Activity(
        "accounts", _("User accounts and login"),
        _("Give partner staff access to what their role and organisation may see, and protect the accounts."),
        _("Public interest task (art. 6.1 e) and security (art. 32)."),
        _("Staff of partner organisations."),
        _("User name, name, e-mail, organisation, role, login times, failed logins (user name, address), "
          "two-factor devices."),
        _("Administrators of Samtrygg."),
        _("As long as the account exists; failed-login records until the lockout has expired."),
    ),
    Activity(
        "audit", _("Audit log"),
        _("Show who changed, deleted, exported or logged in, so that misuse can be found and the data trusted."),
        _("Legal obligation and security (art. 6.1 c, art. 32)."),
        _("Users of Samtrygg."),
        _("User name, time, what was done to which object, changed values."),
        _("Administrators of Samtrygg."),
        _("Kept: the log is tamper-evident and is not thinned out; exported with the user's data on request."),
    ),
    Activity(
        "cases", _("Place cases, actions and cause analyses"),
        _("Plan, carry out and follow up measures at places with problems."),
        _("Public interest task (art. 6.1 e)."),
        _("Partner staff; contact persons of partners; people who may be mentioned in free text."),
        _("Names of responsible staff and contact persons, free text of journals and analyses, photos."),
        _("Partners of the case; every logged-in user reads cases and actions."),
        _("As long as the case is needed for follow-up; free text is warned about when written."),
    ),
    Activity(
        "walks", _("Safety walks and resident questionnaires"),
        _("Hear residents' experience of safety and report back what was done."),
        _("Public interest task (art. 6.1 e); the answers are anonymous."),
        _("Residents answering; walk participants."),
        _("Anonymous answers (free text is warned about and moderated before it is published); participants' "
          "names and organisations."),
        _("Coordinators; residents see only aggregated, published feedback."),
        _("Answers as long as the questionnaire's results are needed; published feedback stays public."),
    ),
    Activity(
        "backups", _("Backups"),
        _("Restore the service after a failure."),
        _("Security (art. 32)."),
        _("Everyone above."),
        _("A copy of everything above, files included."),
        _("Operations staff of the municipality."),
        _("Per the operations routine (e.g. seven daily copies); removed data disappears with the oldest copy."),
    ),
)


def category_retention() -> list[dict]:
    """The retention of reports per category, as the admins set it."""
    from samtrygg.categories.models import Category

    return [{"category": c, "text": c.retain_text_months, "photos": c.retain_photos_months}
            for c in Category.objects.order_by("sort_order", "name")]
