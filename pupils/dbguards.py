"""Database-level guards for append-only tables, used by migrations.

On PostgreSQL a trigger makes the database itself refuse UPDATE and DELETE,
so not even raw SQL can quietly change the record. SQLite has no such guard;
there the models refuse and the audit trail's hash chain detects edits.
"""

from django.db import migrations


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
