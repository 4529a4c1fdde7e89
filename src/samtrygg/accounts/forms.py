from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"), max_length=24, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none",
                                      "spellcheck": "false", "autofocus": True}),
    )


class RolePolicyForm(forms.Form):
    """One checkbox per role: must users with this role use two-factor authentication?"""

    def __init__(self, *args, required: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Role.choices:
            self.fields[value] = forms.BooleanField(label=label, required=False, initial=value in required)

    def required_roles(self) -> set[str]:
        return {role for role in Role.values if self.cleaned_data.get(role)}


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The old password is checked through authenticate(), so the login lockout guards this form too."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password
