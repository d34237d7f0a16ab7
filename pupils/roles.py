"""Staff roles are Django groups, created and kept up to date by migrations.

Each app's data migration grants its own permissions with ``grant`` so that
the roles never have to be set up by hand.
"""

OFFICE_STAFF = "Office staff"
DPO = "Data Protection Officer"
ROLES = (OFFICE_STAFF, DPO)


def grant(apps, schema_editor, *, app_label: str, role: str, codenames: list[str]) -> None:
    """Give ``role`` these permissions of ``app_label`` (for use in RunPython)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; make
    # sure this app's exist now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, verbosity=0, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=role)
    perms = permission_model.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(perms.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*perms)


def all_codenames(apps, app_label: str) -> list[str]:
    """Every permission codename of an app's models, including custom ones."""
    codenames = []
    for model in apps.get_app_config(app_label).get_models():
        opts = model._meta
        codenames += [f"{action}_{opts.model_name}" for action in opts.default_permissions]
        codenames += [codename for codename, _ in opts.permissions]
    return codenames
