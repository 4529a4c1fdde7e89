from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "sees_sensitive", "is_active")
    list_filter = ("kind", "sees_sensitive", "is_active")
    search_fields = ("name", "code")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "organization", "role", "is_active")
    list_filter = ("role", "organization", "is_active")
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Samtrygg"), {"fields": ("organization", "role")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Samtrygg"), {"fields": ("organization", "role")}),)
