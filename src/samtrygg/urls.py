from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from samtrygg.accounts import oidc
from samtrygg.accounts import views as accounts_views
from samtrygg.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("samtrygg.accounts.urls")),
    path("reports/", include("samtrygg.reports.urls")),
    path("imports/", include("samtrygg.imports.urls")),
    path("areas/", include("samtrygg.areas.urls")),
    path("weekly/", include("samtrygg.weekly.urls")),
    path("actions/", include("samtrygg.actions.urls")),
    path("quarterly/", include("samtrygg.quarterly.urls")),
    path("cases/", include("samtrygg.cases.urls")),
    path("walks/", include("samtrygg.walks.urls")),
    path("", include("samtrygg.walks.public_urls")),
    path("api/v1/", include("samtrygg.api.urls")),
    path("api/", include("samtrygg.api.web_urls")),
    path("", include("samtrygg.opendata.urls")),
    path("", include("samtrygg.open311.urls")),
    path("webhooks/", include("samtrygg.webhooks.urls")),
    path("audit/", include("samtrygg.audit.urls")),
    path("privacy/", include("samtrygg.privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("oidc/authenticate/", oidc.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    # The admin logs in through the one login page (lockout, two factors, single sign-on).
    path("admin/login/", accounts_views.admin_login, name="admin_login"),
    # …and changes passwords on the one page whose old-password check counts towards the lockout.
    path("admin/password_change/", RedirectView.as_view(pattern_name="accounts:password_change"),
         name="admin_password_change"),
    path("admin/", admin.site.urls),
]

# A database outage noticed outside a view (e.g. saving the session) is answered 503, not 500.
handler500 = "samtrygg.core.unavailable.server_error"
