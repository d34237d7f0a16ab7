"""On PostgreSQL the database itself refuses UPDATE and DELETE on the
disclosure log (as it does on the audit trail, pupils 0003). Elsewhere the
model and its queryset refuse them."""

from django.db import migrations

# Frozen copies of pupils.dbguards as they were when this migration was written:
# a migration never imports application code, so changing a helper later
# cannot change what this migration does.


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


class Migration(migrations.Migration):
    dependencies = [("sharing", "0002_roles")]
    operations = [append_only("sharing_disclosure", "the disclosure log")]
