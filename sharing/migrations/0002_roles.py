"""Office staff may read the disclosure log; the DPO logs disclosures and
imports and exports Common Transfer Files."""

from django.db import migrations

from pupils.roles import DPO, OFFICE_STAFF, grant

OFFICE_CODENAMES = ["view_disclosure", "view_censusdate"]
DPO_CODENAMES = [
    "view_disclosure",
    "add_disclosure",
    "view_censusdate",
    "add_censusdate",
    "change_censusdate",
    "delete_censusdate",
    "view_ctfimportbatch",
    "add_ctfimportbatch",
    "import_ctf",
    "export_ctf",
]


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="sharing", role=OFFICE_STAFF, codenames=OFFICE_CODENAMES)
    grant(apps, schema_editor, app_label="sharing", role=DPO, codenames=DPO_CODENAMES)


def revoke_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in ((OFFICE_STAFF, OFFICE_CODENAMES), (DPO, DPO_CODENAMES)):
        perms = permission_model.objects.filter(
            content_type__app_label="sharing", codename__in=codenames
        )
        for group in group_model.objects.filter(name=role):
            group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_disclosures"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, revoke_roles)]
