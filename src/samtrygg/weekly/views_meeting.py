"""The weekly meeting's views: saving the assessment, publishing it, and the user's subscription."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.core import locking
from samtrygg.reports.access import sees_all_sensitive
from samtrygg.reports.forms import PII_LABELS

from . import meeting
from .models import Subscription
from .weeks import IsoWeek, WeekError


class Problem(Exception):
    def __init__(self, message: str, status: int = 404):
        super().__init__(message)
        self.message, self.status = message, status


def _week(text: str) -> IsoWeek:
    try:
        return IsoWeek.parse(text)
    except WeekError as exc:
        raise Problem(exc.message) from None


def _area(code: str) -> Area | None:
    code = (code or "").strip()
    if not code:
        return None
    area = Area.objects.defer("geometry_wgs84", "geometry_sweref").filter(code=code).first()
    if area is None:
        raise Problem(_("There is no area with the code “%(code)s”.") % {"code": code})
    return area


def _problem(request, problem: Problem):
    return render(request, "weekly/meeting_problem.html", {"message": problem.message}, status=problem.status)


def _back(week: IsoWeek, area: Area | None) -> str:
    url = reverse("weekly:week", args=[str(week)])
    return url + (f"?area={area.code}" if area else "") + "#assessment"


@login_required
@require_POST
def assessment(request, week):
    if not meeting.can_write(request.user):
        raise PermissionDenied
    try:
        iso = _week(week)
        area = _area(request.POST.get("area") or request.GET.get("area", ""))
    except Problem as problem:
        return _problem(request, problem)
    see, means = request.POST.get("what_we_see", ""), request.POST.get("what_it_means", "")
    try:
        picture, changed = meeting.save_assessment(request.user, iso, area, see, means,
                                                   version=locking.posted_version(request.POST.get("version")))
    except meeting.MeetingError as exc:
        messages.error(request, str(exc))
        return redirect(_back(iso, area))
    except locking.EditConflict as exc:
        # The week page is a redirect away: the refused texts travel in the session and are shown there.
        request.session[conflict_key(iso, area)] = {"pk": exc.pk, "what_we_see": see, "what_it_means": means}
        return redirect(_back(iso, area))
    if not changed:
        messages.info(request, _("Nothing was changed."))
    elif picture.published_at:
        messages.success(request, _("The assessment is saved. It was changed after publishing: publish it "
                                    "again to send the update."))
    else:
        messages.success(request, _("The assessment is saved."))
    kinds = meeting.pii_kinds(see, means)
    if kinds:
        messages.warning(request, _("The assessment seems to contain personal data (%(kinds)s). It is saved; "
                                    "remove it unless it is needed.")
                         % {"kinds": ", ".join(str(PII_LABELS.get(k, k)) for k in kinds)})
    return redirect(_back(iso, area))


def conflict_key(week: IsoWeek, area) -> str:
    return f"weekly-assessment-conflict:{week}:{area.code if area else ''}"


ASSESSMENT_LABELS = {"what_we_see": gettext_lazy("What do we see?"),
                     "what_it_means": gettext_lazy("What do we think it means?")}


def pop_conflict(request, week: IsoWeek, area) -> dict | None:
    """The assessment refused by an edit conflict, once, for the week page: the user's texts, the stored
    version to carry, and who saved what in between."""
    from .models import WeeklyPicture

    stored = request.session.pop(conflict_key(week, area), None)
    if not stored:
        return None
    picture = WeeklyPicture.objects.filter(pk=stored.get("pk")).first()
    if picture is None:
        return None
    rows = [{"label": str(label), "current": locking.show(getattr(picture, name)),
             "yours": locking.show(stored.get(name, "").strip())}
            for name, label in ASSESSMENT_LABELS.items() if getattr(picture, name) != stored.get(name, "").strip()]
    return {"conflict": locking.conflict_details(picture, rows), "version": picture.version,
            "what_we_see": stored.get("what_we_see", ""), "what_it_means": stored.get("what_it_means", "")}


@login_required
@require_POST
def publish(request, week):
    if not meeting.can_write(request.user):
        raise PermissionDenied
    try:
        iso = _week(week)
        area = _area(request.POST.get("area") or request.GET.get("area", ""))
    except Problem as problem:
        return _problem(request, problem)
    try:
        result = meeting.publish(request.user, iso, area)
    except meeting.MeetingError as exc:
        messages.error(request, str(exc))
        return redirect(_back(iso, area))
    if result.unchanged:
        messages.info(request, _("Already published; nothing has changed since, so nothing was sent."))
    else:
        if result.updated:
            text = _("The weekly picture is published again as updated.")
        else:
            text = _("The weekly picture is published.")
        if result.mail_failed:
            messages.warning(request, text + " " + _("The e-mails to subscribers could not be sent; "
                                                    "ask the administrator to check the mail settings."))
        else:
            messages.success(request, text + " " + _("E-mails sent: %(n)s.") % {"n": result.sent})
    return redirect(_back(iso, area))


# ---- subscription -----------------------------------------------------------------------------------------

class SubscriptionForm(forms.ModelForm):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), required=False,
                             help_text=gettext_lazy("Where the e-mails go."))

    class Meta:
        model = Subscription
        fields = ["on_publish", "on_signal", "areas", "categories"]
        widgets = {"areas": forms.CheckboxSelectMultiple, "categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["email"].initial = user.email
        self.fields["areas"].queryset = (Area.objects.filter(is_active=True)
                                         .defer("geometry_wgs84", "geometry_sweref").order_by("name"))
        categories = Category.objects.filter(is_active=True)
        if not sees_all_sensitive(user):
            # Signals in sensitive categories are never sent to this user: don't offer them.
            categories = categories.filter(sensitivity="normal")
        self.fields["categories"].queryset = categories.order_by("sort_order", "name")
        self.fields["areas"].help_text = gettext_lazy("None chosen: every area.")
        self.fields["categories"].help_text = gettext_lazy("None chosen: every category.")

    def clean(self):
        data = super().clean()
        wants_mail = data.get("on_publish") or data.get("on_signal")
        if wants_mail and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Give an e-mail address to get e-mails, or untick both choices."))
        return data

    @transaction.atomic
    def save(self, commit=True):
        subscription = super().save(commit=False)
        subscription.user = self.user
        subscription.save()
        self.save_m2m()
        email = self.cleaned_data.get("email") or ""
        if email != self.user.email:
            self.user.email = email
            self.user.save(update_fields=["email"])
        return subscription


@login_required
def subscription(request):
    existing = Subscription.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = SubscriptionForm(request.POST, instance=existing, user=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your subscription is saved."))
            return redirect("weekly:subscription")
    else:
        form = SubscriptionForm(instance=existing, user=request.user,
                                initial=None if existing else {"on_publish": False, "on_signal": False})
    return render(request, "weekly/subscription.html", {
        "form": form, "subscription": existing, "sees_sensitive": sees_all_sensitive(request.user),
    })
