from django.db import migrations

from pupils.roles import DPO, OFFICE_STAFF, all_codenames, grant

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
