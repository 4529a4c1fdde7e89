"""The admin pages for organisations, users and categories, and who reaches them."""

import pytest

from samtrygg.accounts.models import Organization, User
from samtrygg.categories.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_by_role(org):
    # Made like any user (not the factory, which sets the flags itself): the role alone must grant access.
    user = User(username="chef", organization=org, role="admin")
    user.set_password("x-very-secret-99")
    user.save()
    return user


def test_role_admin_is_staff_and_losing_it_takes_access_away(admin_by_role):
    assert admin_by_role.is_staff and admin_by_role.is_superuser
    admin_by_role.role = "viewer"
    admin_by_role.save()
    admin_by_role.refresh_from_db()
    assert not admin_by_role.is_staff and not admin_by_role.is_superuser


def test_plain_superuser_keeps_its_flags():
    user = User.objects.create_superuser("root", password="x-very-secret-99")
    user.first_name = "Root"
    user.save()
    user.refresh_from_db()
    assert user.is_superuser and user.is_staff


def test_admin_adds_an_organisation_and_a_user(client, admin_by_role):
    client.force_login(admin_by_role)
    assert client.get("/admin/").status_code == 200
    response = client.post("/admin/accounts/organization/add/", {
        "code": "bostad", "name": "Bostadsbolaget", "kind": "municipal_company", "is_active": "on"})
    assert response.status_code == 302
    org = Organization.objects.get(code="bostad")
    response = client.post("/admin/accounts/user/add/", {
        "username": "vakt", "usable_password": "true", "password1": "ett-bra-losenord-7",
        "password2": "ett-bra-losenord-7", "organization": org.pk, "role": "reporter"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="vakt")
    assert (user.organization, user.role, user.is_staff) == (org, "reporter", False)
    assert user.check_password("ett-bra-losenord-7")
    for url in ["/admin/accounts/organization/", "/admin/accounts/user/",
                f"/admin/accounts/user/{user.pk}/change/",
                "/admin/categories/category/", "/admin/categories/category/add/"]:
        assert client.get(url).status_code == 200, url


def test_admin_adds_a_category(client, admin_by_role):
    client.force_login(admin_by_role)
    response = client.post("/admin/categories/category/add/", {
        "code": "sprejburk", "name": "Sprejburkar", "name_en": "", "severity": "1", "sensitivity": "normal",
        "description": "", "is_active": "on", "sort_order": "100"})
    assert response.status_code == 302
    assert Category.objects.filter(code="sprejburk").exists()


@pytest.mark.parametrize("role", ["coordinator", "analyst", "reporter", "viewer"])
def test_other_roles_cannot_reach_admin(client, user_factory, role):
    client.force_login(user_factory(role))
    for url in ["/admin/", "/admin/accounts/user/", "/admin/accounts/organization/add/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url
    response = client.post("/admin/accounts/organization/add/", {"code": "x", "name": "X", "kind": "other"})
    assert not Organization.objects.filter(code="x").exists()
