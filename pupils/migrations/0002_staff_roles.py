from django.db import migrations

# Frozen copies of pupils.roles as they were when this migration was written:
# a migration never imports application code, so changing a helper later
# cannot change what this migration does.
OFFICE_STAFF = "Office staff"
DPO = "Data Protection Officer"


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


OFFICE_CODENAMES = [
    "view_school",
    "view_term",
    "view_closureday",
    "view_pupil",
    "add_pupil",
    "change_pupil",
    "view_contact",
    "add_contact",
    "change_contact",
    "view_pupilcontact",
    "add_pupilcontact",
    "change_pupilcontact",
    "delete_pupilcontact",
    "view_assessmentresult",
    "add_assessmentresult",
    "change_assessmentresult",
    "delete_assessmentresult",
    "view_attendancesummary",
    "add_attendancesummary",
    "change_attendancesummary",
    "delete_attendancesummary",
    "view_exclusion",
    "add_exclusion",
    "change_exclusion",
    "view_destination",
    "add_destination",
    "change_destination",
]


def create_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="pupils", role=OFFICE_STAFF, codenames=OFFICE_CODENAMES)
    dpo = [
        c
        for c in all_codenames(apps, "pupils")
        if c not in {"add_auditevent", "change_auditevent", "delete_auditevent"}
    ]
    grant(apps, schema_editor, app_label="pupils", role=DPO, codenames=dpo)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[OFFICE_STAFF, DPO]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pupils", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
