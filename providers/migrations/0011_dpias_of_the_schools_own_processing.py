# A DPIA of the school's own processing, not only of a provider: a DPIA
# now names its school, and either a provider or the processing.

import django.db.models.deletion
from django.db import migrations, models


def school_from_provider(apps, schema_editor):
    Dpia = apps.get_model("providers", "Dpia")
    for dpia in Dpia.objects.select_related("provider").only("id", "provider__school_id"):
        Dpia.objects.filter(pk=dpia.pk).update(school_id=dpia.provider.school_id)


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0010_photographs_are_the_schools_own"),
        ("pupils", "0016_year_group_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="dpia",
            name="school",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dpias",
                to="pupils.school",
            ),
        ),
        migrations.RunPython(school_from_provider, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dpia",
            name="school",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dpias",
                to="pupils.school",
            ),
        ),
        migrations.AlterField(
            model_name="dpia",
            name="provider",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dpias",
                to="providers.provider",
            ),
        ),
        migrations.AddField(
            model_name="dpia",
            name="processing",
            field=models.CharField(
                blank=True,
                help_text="For a DPIA of something the school does itself, not a provider: e.g. “CCTV in the playground”.",
                max_length=200,
                verbose_name="the school's own processing",
            ),
        ),
        migrations.AddConstraint(
            model_name="dpia",
            constraint=models.UniqueConstraint(
                condition=models.Q(("provider__isnull", True)),
                fields=("school", "processing", "version"),
                name="unique_processing_dpia_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="dpia",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("provider__isnull", False), ("processing", "")),
                    models.Q(
                        ("provider__isnull", True), models.Q(("processing", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="dpia_of_a_provider_or_own_processing",
            ),
        ),
    ]
