"""Make a staff account in the Trainers group, asking for its password."""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

TRAINERS_GROUP = "Trainers"


class Command(BaseCommand):
    help = (
        "Create a trainer: a staff user in the Trainers group who can edit exercises and the "
        "taxonomy in the admin. The password is asked for twice; scripts pass it in an "
        "environment variable named by --password-from-env (never on the command line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The trainer's e-mail address.")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Read the password from the environment variable VAR instead of asking.",
        )

    def handle(self, *args, username, email, password_from_env, **options):
        User = get_user_model()
        try:
            group = Group.objects.get(name=TRAINERS_GROUP)
        except Group.DoesNotExist:
            raise CommandError(
                f"The {TRAINERS_GROUP} group does not exist: run `manage.py migrate` first."
            ) from None
        if User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
            raise CommandError(f"A user named “{username}” already exists; pick another name.")

        user = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True)
        if password_from_env:
            password = self.password_from_env(password_from_env, user)
        else:
            password = self.ask_password(user)

        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(f"Trainer “{username}” created: they can log in at /admin/.")
        )

    def password_from_env(self, variable, user):
        password = os.environ.get(variable, "")
        if not password:
            raise CommandError(f"The environment variable {variable} is not set or is empty.")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        return password

    def ask_password(self, user):
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for the password: use --password-from-env VAR in scripts."
            )
        while True:
            try:
                password = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ")
            except KeyboardInterrupt:
                raise CommandError("Cancelled; no user was created.") from None
            if again != password:
                self.stderr.write("The passwords didn't match; try again.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write("Password refused: " + " ".join(error.messages))
                continue
            return password
