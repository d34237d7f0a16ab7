from django.apps import AppConfig


class AuthCommandsConfig(AppConfig):
    """Listed before ``django.contrib.auth`` (see the package's docstring)."""

    name = "pupils.authcommands"
    label = "pupils_authcommands"
    verbose_name = "Staff-account commands"
