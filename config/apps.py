from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin with the staff site (second factor required) as
    ``admin.site``, so every app's ``@admin.register`` keeps working."""

    default_site = "config.admin_site.StaffAdminSite"
