"""`samtrygg add-user USERNAME --org CODE --role ROLE [--email E]`: scripted provisioning of a user.

The password comes from the environment variable SAMTRYGG_PASSWORD when it is set (scripts, cron);
otherwise it is asked for twice on the terminal. Without either, the command stops with an error.
"""

import getpass
import os
import sys

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from samtrygg.accounts.models import Organization, Role, User

PASSWORD_ENV = "SAMTRYGG_PASSWORD"


class Command(BaseCommand):
    help = f"Create a user in an organisation with a role. Password: ${PASSWORD_ENV}, else asked for."

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--org", required=True, metavar="CODE", help="the organisation's code")
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(Role.values)}")
        parser.add_argument("--email", default="", metavar="E")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, username, org, role, email, first_name, last_name, **options):
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            known = ", ".join(Organization.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"--org {org!r}: no such organisation (known: {known})")
        if role not in Role.values:
            raise CommandError(f"--role {role!r}: use one of {', '.join(Role.values)}")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise CommandError(f"--email {email!r}: not an e-mail address") from exc
        user = User(username=username, email=email, first_name=first_name, last_name=last_name,
                    organization=organization, role=role)
        try:
            user.clean_fields(exclude=["password"])
        except ValidationError as exc:
            raise CommandError(self._errors(exc)) from exc
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"a user named {username!r} already exists")

        password = self._password()
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("password: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        with transaction.atomic():
            user.save()
        self.stdout.write(f"created user {user.username} ({user.role} in {organization.code})")

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_ENV)
        if password is not None:
            if not password:
                raise CommandError(f"${PASSWORD_ENV} is empty")
            return password
        if not sys.stdin.isatty():
            raise CommandError(f"no password: set ${PASSWORD_ENV} or run the command on a terminal")
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CommandError("the two passwords differ")
        if not first:
            raise CommandError("the password is empty")
        return first

    @staticmethod
    def _errors(exc: ValidationError) -> str:
        return "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in exc.message_dict.items())
