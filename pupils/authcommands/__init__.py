"""An app with no models whose only job is to put ``pupils``' staff-account
commands ahead of ``django.contrib.auth``'s own.

Django runs the command of the first installed app that has one by that
name. ``pupils`` cannot come before ``django.contrib.auth`` (its admin
replaces the user admin that ``django.contrib.auth`` registers first), so
this app is listed before ``django.contrib.auth`` in ``INSTALLED_APPS`` and
re-exports ``pupils.management.commands.changepassword``: the password goes
through ``pupils.staff.accounts.set_password`` (sessions ended, trail
written).
"""
