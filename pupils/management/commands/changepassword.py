"""``manage.py changepassword [username]``: Django's own command, with the
password set through the staff-account service
(``pupils.staff.accounts.set_password``), so a password changed from the
command line ends every session of the account and leaves a trail entry
naming the field, never its value, as it does from the staff site.

It asks twice and checks the password against ``AUTH_PASSWORD_VALIDATORS``,
three tries at most, as Django's does. Django looks a command up in the
first installed app that has it: ``pupils`` must come before
``django.contrib.auth`` in ``INSTALLED_APPS`` for this one to be found.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS

from pupils.staff.accounts import set_password

MAX_TRIES = 3


def command_actor() -> str:
    """Who the trail says changed it: the command, and the system account that ran it."""
    return f"manage.py changepassword ({getpass.getuser()})"


def _ask(prompt: str) -> str:
    answer = getpass.getpass(prompt=prompt)
    if not answer:
        raise CommandError("aborted")
    return answer


class Command(changepassword.Command):
    help = (
        "Change a member of staff's password: ends every session of the account and writes "
        "the audit trail."
    )

    def handle(self, *args: Any, **options: Any) -> str:
        if options["database"] != DEFAULT_DB_ALIAS:
            raise CommandError("Sessions and the audit trail live in the default database only.")
        username = options["username"] or getpass.getuser()
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"user '{username}' does not exist") from None
        self.stdout.write(f"Changing password for user '{user}'")
        password = self._ask_password(user)
        set_password(actor=command_actor(), user=user, password=password)
        return f"Password changed successfully for user '{user}'; their sessions have ended."

    def _ask_password(self, user: Any) -> str:
        for _try in range(MAX_TRIES):
            first = _ask("Password: ")
            if first != _ask("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(first, user)
            except ValidationError as err:
                self.stderr.write("\n".join(err.messages))
                continue
            return first
        raise CommandError(f"Aborting password change for user '{user}' after {MAX_TRIES} attempts")
