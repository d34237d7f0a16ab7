"""On PostgreSQL the database itself refuses to change or delete a published
privacy notice, a published risk assessment or its answers (the models and
the admin refuse too; this also stops raw SQL and QuerySet.update)."""

from django.db import migrations

# Frozen copies of pupils.dbguards as they were when this migration was written:
# a migration never imports application code, so changing a helper later
# cannot change what this migration does.


def postgres_only(forward: str, backward: str) -> migrations.RunPython:
    """A migration operation running raw SQL on PostgreSQL and nothing elsewhere.
    (``params=None`` keeps the % of RAISE EXCEPTION from being read as a parameter.)"""

    def run(sql):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return operation

    return migrations.RunPython(run(forward), run(backward))


FORWARD = """
CREATE OR REPLACE FUNCTION providers_published_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a published record cannot be changed: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER providers_privacynotice_immutable
    BEFORE UPDATE OR DELETE ON providers_privacynotice
    FOR EACH ROW WHEN (OLD.status = 'published')
    EXECUTE FUNCTION providers_published_immutable();
CREATE TRIGGER providers_riskassessment_immutable
    BEFORE UPDATE OR DELETE ON providers_riskassessment
    FOR EACH ROW WHEN (OLD.status = 'published')
    EXECUTE FUNCTION providers_published_immutable();

CREATE OR REPLACE FUNCTION providers_answer_immutable() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM providers_riskassessment
               WHERE id = OLD.assessment_id AND status = 'published') THEN
        RAISE EXCEPTION 'a published record cannot be changed: % refused on %',
            TG_OP, TG_TABLE_NAME;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER providers_assessmentanswer_immutable
    BEFORE UPDATE OR DELETE ON providers_assessmentanswer
    FOR EACH ROW EXECUTE FUNCTION providers_answer_immutable();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS providers_privacynotice_immutable ON providers_privacynotice;
DROP TRIGGER IF EXISTS providers_riskassessment_immutable ON providers_riskassessment;
DROP TRIGGER IF EXISTS providers_assessmentanswer_immutable ON providers_assessmentanswer;
DROP FUNCTION IF EXISTS providers_published_immutable();
DROP FUNCTION IF EXISTS providers_answer_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("providers", "0003_roles")]
    operations = [postgres_only(FORWARD, BACKWARD)]
