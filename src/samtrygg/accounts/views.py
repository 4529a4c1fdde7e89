from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from samtrygg.audit.context import suppress_signals
from samtrygg.audit.log import diff, record

from . import lockout, two_factor
from .forms import PasswordChangeForm, RolePolicyForm, TokenForm
from .middleware import SECOND_FACTOR, _hours
from .models import Role, RolePolicy, User

FRESH_CODES = "samtrygg_fresh_recovery_codes"


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.SAMTRYGG_OIDC
        context["oidc_button"] = settings.SAMTRYGG_OIDC_BUTTON or _("Log in with your organisation's account")
        return context


def admin_login(request):
    """The admin has no login of its own: one login page with the lockout, two factors and single sign-on."""
    target = _next(request, reverse("admin:index"))
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(target)
        # Logged in without admin rights: say so instead of sending the user round in a circle.
        raise PermissionDenied
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@login_required
def profile(request):
    return render(request, "accounts/profile.html", {
        "two_factor_status": two_factor.status(request.user),
        "external_identities": request.user.external_identities.all(),
    })


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# ---- the user's own second factor ----------------------------------------------------------------------------

@login_required
def two_factor_overview(request):
    user = request.user
    return render(request, "accounts/two_factor/overview.html", {
        "has_app": two_factor.has_app(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "required": two_factor.two_factor_required(user),
        "form": TokenForm(),
    })


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm with the first code."""
    user = request.user
    if two_factor.has_app(user) and not user.is_verified():
        # Whoever replaces the app must first prove they hold the current one.
        return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
    device = two_factor.start_enrolment(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_enrolment(device, form.cleaned_data["token"]):
            device.refresh_from_db()
            request.session.cycle_key()  # more rights now: a new session id
            otp_login(request, device)
            request.session[SECOND_FACTOR] = True
            request.session[FRESH_CODES] = two_factor.new_recovery_codes(user)
            record(user, "update", user, summary="Two-factor authentication enrolled",
                   changes={"two_factor": [None, "app"]})
            messages.success(request, _("Your authenticator app is set up. Save your recovery codes now."))
            target, url = _next(request, ""), reverse("accounts:recovery_codes")
            return redirect(f"{url}?{urlencode({'next': target})}" if target else url)
        form.add_error("token", _("That code is not right. Check that the clock of your phone is correct and "
                                  "type the code the app shows now."))
    return render(request, "accounts/two_factor/setup.html", {
        "form": form,
        "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_for_typing(device),
        "required": two_factor.two_factor_required(user),
        "next": _next(request, ""),
    })


@login_required
def two_factor_verify(request):
    """The step after the password: a code from the app or a recovery code."""
    user = request.user
    target = _next(request, reverse(settings.LOGIN_REDIRECT_URL))
    if user.is_verified():
        return redirect(target)
    if not two_factor.has_app(user) and not two_factor.recovery_codes_left(user):
        if two_factor.two_factor_required(user):
            return redirect(f"{reverse('accounts:two_factor_setup')}?{urlencode({'next': target})}")
        # The devices were removed (an admin's reset) and the role doesn't require any: nothing to ask for.
        request.session[SECOND_FACTOR] = False
        return redirect(target)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify(user, form.cleaned_data["token"])
        if result.ok:
            request.session.cycle_key()  # more rights now: a new session id
            otp_login(request, result.device)
            if isinstance(result.device, StaticDevice) and two_factor.recovery_codes_left(user) <= 2:
                messages.warning(request, _("You have %(count)d recovery codes left. Create new ones under "
                                            "My account.") % {"count": two_factor.recovery_codes_left(user)})
            return redirect(target)
        status = 400
        if result.wait_until:
            seconds = max(1, int((result.wait_until - timezone.now()).total_seconds()) + 1)
            form.add_error("token", _("Too many wrong codes. Wait %(seconds)d seconds and try again.")
                           % {"seconds": seconds})
        else:
            form.add_error("token", _("That code is not right. Type the six digits the app shows now, "
                                      "or one of your recovery codes."))
    return render(request, "accounts/two_factor/verify.html", {"form": form, "next": target}, status=status)


@login_required
def recovery_codes(request):
    """New codes are shown once, right after they were made; afterwards only how many are left."""
    user = request.user
    if not two_factor.has_app(user):
        return redirect("accounts:two_factor")
    if request.method == "POST":
        request.session[FRESH_CODES] = two_factor.new_recovery_codes(user)
        record(user, "update", user, summary="New two-factor recovery codes")
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(FRESH_CODES, None)
    return render(request, "accounts/two_factor/recovery_codes.html", {
        "codes": codes, "codes_left": two_factor.recovery_codes_left(user), "next": _next(request, ""),
    })


@login_required
@require_POST
def two_factor_disable(request):
    """Turn off one's own two-factor authentication: only when the role allows it, and with a current code."""
    user = request.user
    if two_factor.two_factor_required(user):
        messages.error(request, _("Your role requires two-factor authentication; it can't be turned off."))
        return redirect("accounts:two_factor")
    form = TokenForm(request.POST)
    if not form.is_valid() or not two_factor.verify(user, form.cleaned_data["token"]).ok:
        messages.error(request, _("That code is not right; two-factor authentication is still on."))
        return redirect("accounts:two_factor")
    two_factor.reset_devices(user)
    request.session[SECOND_FACTOR] = False
    record(user, "update", user, summary="Two-factor authentication turned off",
           changes={"two_factor": ["app", None]})
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")


@login_required
@require_POST
def keepalive(request):
    """Typing in a long form counts as activity: static/accounts/session.js calls this now and then."""
    return HttpResponse(status=204)


# ---- admins: security settings ---------------------------------------------------------------------------------

def _require_admin(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
    if not request.user.is_samtrygg_admin:
        raise PermissionDenied
    return None


def security(request):
    """Admins: which roles must use two-factor authentication, every user's status, and current lockouts."""
    refusal = _require_admin(request)
    if refusal:
        return refusal
    required = two_factor.required_roles()
    form = RolePolicyForm(request.POST or None, required=required)
    if request.method == "POST" and form.is_valid():
        wanted = form.required_roles()
        with transaction.atomic(), suppress_signals():
            for role in Role.values:
                RolePolicy.objects.update_or_create(role=role, defaults={"require_two_factor": role in wanted})
            changes = diff({r: r in required for r in Role.values}, {r: r in wanted for r in Role.values})
            if changes:
                record(request.user, "update", object_type="accounts.rolepolicy", object_id="two_factor",
                       summary="Two-factor requirement per role", changes=changes)
        messages.success(request, _("Saved. Users of the roles you ticked must use two-factor authentication "
                                    "from their next login."))
        return redirect("accounts:security")
    users = (User.objects.filter(is_active=True).select_related("organization")
             .order_by("organization__name", "username"))
    with_app = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = [{"user": u, "has_app": u.pk in with_app,
             "must_enrol": u.pk not in with_app and two_factor.policy_role(u) in required} for u in users]
    return render(request, "accounts/security.html", {
        "form": form, "rows": rows, "locks": lockout.current_locks(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "idle_minutes": settings.SAMTRYGG_IDLE_TIMEOUT // 60,
        "session_hours": _hours(settings.SESSION_COOKIE_AGE),
        "oidc_enabled": settings.SAMTRYGG_OIDC,
    })


@require_POST
def security_reset_two_factor(request, pk: int):
    refusal = _require_admin(request)
    if refusal:
        return refusal
    user = get_object_or_404(User, pk=pk)
    removed = two_factor.reset_devices(user)
    record(request.user, "update", user, summary=f"Two-factor authentication reset for {user.username}",
           changes={"two_factor_devices": [removed, 0]})
    messages.success(request, _("Two-factor authentication of %(user)s was reset. If the role requires it, they "
                                "enrol a new app at their next login.") % {"user": user.username})
    return redirect("accounts:security")


@require_POST
def security_unlock(request):
    refusal = _require_admin(request)
    if refusal:
        return refusal
    ip_address = request.POST.get("ip_address", "").strip()
    username = request.POST.get("username") if "username" in request.POST else None
    if not ip_address:
        messages.error(request, _("Choose a block to lift."))
        return redirect("accounts:security")
    removed = lockout.unlock(username, ip_address)
    record(request.user, "delete", object_type="axes.accessattempt", object_id=ip_address,
           summary=f"Login block lifted: {username or 'every username'} from {ip_address}",
           changes={"attempts_removed": [removed, 0]})
    messages.success(request, _("The block was lifted."))
    return redirect("accounts:security")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page has inline styles (refused by the CSP) and speaks English only. The
    usual cause here is a form left open past the session's end, so say that, with a way back."""
    return render(request, "accounts/csrf_failure.html", {"reason": reason}, status=403)
