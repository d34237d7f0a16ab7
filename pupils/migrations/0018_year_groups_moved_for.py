"""The school remembers which academic year its pupils were last moved up a
year for (pupils.yeargroups.move_up_a_year refuses a second run)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pupils', '0017_retention_kind_complaints'),
    ]

    operations = [
        migrations.AddField(
            model_name='school',
            name='year_groups_moved_for',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, help_text='The school year (2026 for 2026/27) whose move up a year was done.', null=True, verbose_name='year groups moved up for'),
        ),
    ]
