"""``manage.py changepassword``: the pupils command, found before Django's."""

from pupils.management.commands.changepassword import Command

__all__ = ["Command"]
