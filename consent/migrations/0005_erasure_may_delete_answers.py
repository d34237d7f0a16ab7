"""Consent answers stay append-only, except for erasure when their retention
period ends (docs/law.md, "Retention"): on PostgreSQL the guard now lets a
DELETE through when the transaction has set ``pupildata.erasure`` (only
``pupils.retention.services`` does, in an erasure's own transaction).
UPDATE is still refused."""

from django.db import migrations

TABLE = "consent_consentrecord"
FUNCTION = f"{TABLE}_append_only"

# Frozen: the guard as migration 0002 wrote it, for the way back.
STRICT = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the consent record is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

ERASABLE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('pupildata.erasure', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the consent record is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def postgres_only(forward: str, backward: str) -> migrations.RunPython:
    """Raw SQL on PostgreSQL, nothing elsewhere (``params=None`` keeps the %
    of RAISE EXCEPTION from being read as a parameter)."""

    def run(sql):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return operation

    return migrations.RunPython(run(forward), run(backward))


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_explicit_consent_mark")]
    operations = [postgres_only(ERASABLE, STRICT)]
