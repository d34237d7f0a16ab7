from django.db import migrations

from pupils.roles import DPO, OFFICE_STAFF, grant

# Any member of staff can log a request the moment it arrives (DOMAIN.md:
# "anyone can ask, in any form, to any member of staff"); only the DPO
# handles it and produces the response.
OFFICE_CODENAMES = ["add_accessrequest", "view_accessrequest"]
DPO_CODENAMES = [
    "add_accessrequest",
    "view_accessrequest",
    "change_accessrequest",
    "handle_access_request",
    "produce_access_response",
    "view_clockpause",
    "add_clockpause",
    "change_clockpause",
    "view_redactiondecision",
    "add_redactiondecision",
    "change_redactiondecision",
]


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="sharing", role=OFFICE_STAFF, codenames=OFFICE_CODENAMES)
    grant(apps, schema_editor, app_label="sharing", role=DPO, codenames=DPO_CODENAMES)


def revoke_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    perms = permission_model.objects.filter(
        content_type__app_label="sharing", codename__in=set(OFFICE_CODENAMES + DPO_CODENAMES)
    )
    for group in group_model.objects.filter(name__in=[OFFICE_STAFF, DPO]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_access_requests"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, revoke_roles)]
