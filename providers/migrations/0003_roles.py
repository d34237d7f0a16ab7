from django.db import migrations

from pupils.roles import DPO, OFFICE_STAFF, grant

OFFICE = ["view_provider", "view_privacynotice"]
DPO_CODENAMES = [
    "view_provider",
    "add_provider",
    "change_provider",
    "view_riskassessment",
    "add_riskassessment",
    "change_riskassessment",
    "delete_riskassessment",
    "publish_riskassessment",
    "view_assessmentanswer",
    "add_assessmentanswer",
    "change_assessmentanswer",
    "delete_assessmentanswer",
    "view_privacynotice",
    "add_privacynotice",
    "change_privacynotice",
    "delete_privacynotice",
    "publish_privacynotice",
]


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="providers", role=OFFICE_STAFF, codenames=OFFICE)
    grant(apps, schema_editor, app_label="providers", role=DPO, codenames=DPO_CODENAMES)


def revoke_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    perms = permission_model.objects.filter(content_type__app_label="providers")
    for group in group_model.objects.filter(name__in=[OFFICE_STAFF, DPO]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0002_risk_assessments"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, revoke_roles)]
