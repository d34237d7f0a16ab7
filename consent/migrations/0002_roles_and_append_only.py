"""Office staff and the DPO record and ask for consent; the DPO alone may
let a pupil go on roll with an incomplete form. On PostgreSQL the database
refuses UPDATE and DELETE of consent answers (they are append-only)."""

from django.db import migrations

# Frozen copies of pupils.roles and pupils.dbguards as they were when this
# migration was written:
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


def append_only_sql(table: str, what: str) -> tuple[str, str]:
    """(forward, backward) SQL for a trigger refusing UPDATE and DELETE on ``table``."""
    function = f"{table}_append_only"
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{what} is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {function}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backward = f"""
DROP TRIGGER IF EXISTS {function} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return forward, backward


def postgres_only(forward: str, backward: str) -> migrations.RunPython:
    """A migration operation running raw SQL on PostgreSQL and nothing elsewhere.
    (``params=None`` keeps the % of RAISE EXCEPTION from being read as a parameter.)"""

    def run(sql):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return operation

    return migrations.RunPython(run(forward), run(backward))


def append_only(table: str, what: str) -> migrations.RunPython:
    return postgres_only(*append_only_sql(table, what))


COMMON = [
    "add_consentrecord",
    "view_consentrecord",
    "add_consentrequest",
    "view_consentrequest",
    "add_offlinearrangement",
    "change_offlinearrangement",
    "view_offlinearrangement",
    "view_enrolmentoverride",
]

def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="consent", role=OFFICE_STAFF, codenames=COMMON)
    grant(
        apps,
        schema_editor,
        app_label="consent",
        role=DPO,
        codenames=[*COMMON, "add_enrolmentoverride"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_consent_records_requests_arrangements"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
        append_only("consent_consentrecord", "the consent record"),
    ]
