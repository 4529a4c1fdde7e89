"""Single sign-on through OpenID Connect, end to end against a provider running inside the test (fake_idp)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from samtrygg.accounts.models import ExternalIdentity, RolePolicy, User
from samtrygg.accounts.oidc import map_role, parse_map
from samtrygg.audit.models import AuditEntry
from tests.accounts.fake_idp import FakeIdP
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = {
    "anna": {"sub": "uuid-anna-1", "preferred_username": "anna.andersson", "email": "anna@kommun.se",
             "given_name": "Anna", "family_name": "Andersson", "groups": ["Samtrygg-Samordnare", "Alla"],
             "department": "KLK"},
    "bo": {"sub": "uuid-bo-2", "preferred_username": "bo.berg", "email": "bo@kommun.se", "groups": ["Alla"],
           "department": "KLK"},
    "cia": {"sub": "uuid-cia-3", "preferred_username": "cia", "email": "cia@kommun.se",
            "groups": ["Samtrygg-Analytiker"], "department": "SBF"},
}


@pytest.fixture(scope="module")
def idp():
    provider = FakeIdP(PEOPLE)
    yield provider
    provider.close()


@pytest.fixture
def sso(idp, settings, org):
    idp.tamper = None
    OrganizationFactory(code="stadsbyggnad", name="Stadsbyggnadsförvaltningen")
    for name, value in idp.settings().items():
        setattr(settings, name, value)
    settings.SAMTRYGG_OIDC_ORG_CLAIM = "department"
    settings.SAMTRYGG_OIDC_ORG_MAP = "KLK=kommunen,SBF=stadsbyggnad"
    settings.SAMTRYGG_OIDC_ROLE_CLAIM = "groups"
    settings.SAMTRYGG_OIDC_ROLE_MAP = "Samtrygg-Samordnare=coordinator,Samtrygg-Analytiker=analyst"
    settings.SAMTRYGG_OIDC_DEFAULT_ROLE = ""
    settings.SAMTRYGG_OIDC_CREATE_USERS = True
    settings.SAMTRYGG_OIDC_TWO_FACTOR = "local"
    return idp


def _sso_login(client, idp, person, next_url="/reports/"):
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302 and start["Location"].startswith(f"{idp.url}/authorize?")
    back = idp.log_in(start["Location"], person)
    return client.get(back.removeprefix("http://testserver"))


def test_login_page_offers_the_button_only_when_configured(client, settings, sso):
    settings.SAMTRYGG_OIDC_BUTTON = "Logga in med kommunens konto"
    page = client.get("/login/").content.decode()
    assert "Logga in med kommunens konto" in page and 'href="/oidc/authenticate/"' in page
    settings.SAMTRYGG_OIDC = False
    assert "/oidc/authenticate/" not in client.get("/login/").content.decode()
    assert client.get("/oidc/authenticate/")["Location"] == "/login/"


def test_the_request_uses_pkce_nonce_and_state(client, sso):
    location = client.get("/oidc/authenticate/")["Location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert params["response_type"] == "code" and params["client_id"] == "samtrygg-test"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["nonce"]) >= 32 and len(params["state"]) >= 32
    assert params["redirect_uri"] == "http://testserver/oidc/callback/"
    assert set(params["scope"].split()) == {"openid", "email", "profile"}


def test_first_login_creates_the_user_with_mapped_organisation_and_role(client, sso, org):
    response = _sso_login(client, sso, "anna")
    assert response.status_code == 302 and response["Location"] == "/reports/"
    user = User.objects.get(username="anna.andersson")
    assert (user.organization, user.role, user.email, user.get_full_name()) == (
        org, "coordinator", "anna@kommun.se", "Anna Andersson")
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).subject == "uuid-anna-1"
    assert client.get("/reports/").status_code == 200
    assert AuditEntry.objects.filter(action="create", object_type="accounts.user", object_id=str(user.pk)).exists()
    # The code and the PKCE verifier went to the token endpoint (the provider checked them).
    assert sso.token_requests[-1]["code_verifier"]


def test_next_login_finds_the_same_user_by_subject_and_updates_the_role(client, sso):
    _sso_login(client, sso, "cia")
    user = User.objects.get(username="cia")
    assert (user.role, user.organization.code) == ("analyst", "stadsbyggnad")
    client.logout()
    PEOPLE["cia"]["groups"] = ["Samtrygg-Samordnare", "Samtrygg-Analytiker"]
    PEOPLE["cia"]["email"] = "cia.ny@kommun.se"
    try:
        _sso_login(client, sso, "cia")
    finally:
        PEOPLE["cia"]["groups"], PEOPLE["cia"]["email"] = ["Samtrygg-Analytiker"], "cia@kommun.se"
    assert User.objects.filter(external_identities__subject="uuid-cia-3").count() == 1
    user.refresh_from_db()
    # Of two roles the one with more rights wins.
    assert (user.role, user.email) == ("coordinator", "cia.ny@kommun.se")
    entry = AuditEntry.objects.filter(action="update", object_id=str(user.pk)).latest("at")
    assert entry.changes["role"] == ["analyst", "coordinator"]


def test_existing_account_with_the_same_email_is_linked(client, sso, org):
    existing = UserFactory(username="anna", email="ANNA@kommun.se", organization=org, role="viewer")
    _sso_login(client, sso, "anna")
    assert int(client.session["_auth_user_id"]) == existing.pk
    assert ExternalIdentity.objects.get(subject="uuid-anna-1").user == existing
    existing.refresh_from_db()
    assert existing.role == "coordinator"


def test_no_role_means_no_access_with_a_message(client, sso):
    response = _sso_login(client, sso, "bo")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="bo@kommun.se").exists()
    page = client.get("/login/").content.decode()
    assert "ingen roll i Samtrygg" in page or "no role in Samtrygg" in page


def test_default_role_lets_everyone_of_a_mapped_organisation_in(client, sso, settings):
    settings.SAMTRYGG_OIDC_DEFAULT_ROLE = "viewer"
    _sso_login(client, sso, "bo")
    assert User.objects.get(username="bo.berg").role == "viewer"


def test_unknown_people_are_refused_when_accounts_are_not_created(client, sso, settings):
    settings.SAMTRYGG_OIDC_CREATE_USERS = False
    _sso_login(client, sso, "anna")
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists() or not User.objects.filter(username="anna.andersson").exists()


@pytest.mark.parametrize("tamper", ["audience", "issuer", "expired", "signature", "nonce", "userinfo_subject"])
def test_bad_tokens_are_refused(client, sso, tamper):
    sso.tamper = tamper
    response = _sso_login(client, sso, "anna")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()


def test_a_replayed_callback_is_refused(client, sso):
    start = client.get("/oidc/authenticate/")
    back = sso.log_in(start["Location"], "anna").removeprefix("http://testserver")
    assert client.get(back)["Location"] == "/"
    client.logout()
    response = client.get(back)
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_provider_unreachable_gives_a_message_not_an_error(client, sso, settings):
    start = client.get("/oidc/authenticate/")
    back = sso.log_in(start["Location"], "anna").removeprefix("http://testserver")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # nothing listens there
    response = client.get(back)
    assert response.status_code == 302 and response["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert "fungerade inte" in page or "did not work" in page


def test_local_two_factor_rules_apply_after_sso(client, sso):
    RolePolicy.objects.create(role="coordinator", require_two_factor=True)
    _sso_login(client, sso, "anna")
    response = client.get("/reports/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/setup/")


def test_provider_trusted_for_the_second_factor(client, sso, settings):
    settings.SAMTRYGG_OIDC_TWO_FACTOR = "idp"
    RolePolicy.objects.create(role="coordinator", require_two_factor=True)
    _sso_login(client, sso, "anna")
    assert client.get("/reports/").status_code == 200


def test_password_login_is_unaffected_by_sso(client, sso, reporter):
    from tests.factories import PASSWORD

    assert client.post("/login/", {"username": reporter.username, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(("text", "expected"), [
    ("a=b,c=d", {"a": "b", "c": "d"}),
    # Group names with commas (LDAP distinguished names): pairs separated by semicolons instead.
    ("CN=Samtrygg,OU=Grupper=coordinator; x=viewer", {"CN=Samtrygg,OU=Grupper": "coordinator", "x": "viewer"}),
    ("", {}),
])
def test_parse_map(text, expected):
    assert parse_map(text) == expected


def test_map_role_without_a_map_takes_role_codes(settings):
    settings.SAMTRYGG_OIDC_ROLE_CLAIM = "samtrygg_role"
    settings.SAMTRYGG_OIDC_ROLE_MAP = ""
    settings.SAMTRYGG_OIDC_DEFAULT_ROLE = ""
    assert map_role({"samtrygg_role": "analyst"}) == "analyst"
    assert map_role({"samtrygg_role": "superhero"}) is None


def test_sessions_outlive_turning_sso_off(client, sso, settings):
    _sso_login(client, sso, "anna")
    settings.SAMTRYGG_OIDC = False
    assert client.get("/reports/").status_code == 200
