"""An access response outlives its pupil: when the pupil is erased under the
retention schedule (sharing/retention.py) the row stays as the proof a
response was produced and sent (dates, SHA-256, categories) without the
pupil or where it was sent. Before, the PROTECT link made such a pupil
impossible to erase."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pupils', '0016_year_group_label'),
        ('sharing', '0020_rightspause_created_by'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='accessresponse',
            name='sar_response_sent_says_when_how_to_whom',
        ),
        migrations.AlterField(
            model_name='accessresponse',
            name='pupil',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='pupils.pupil'),
        ),
        migrations.AddConstraint(
            model_name='accessresponse',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('sent_method', ''), ('sent_on__isnull', True), ('sent_to', '')), models.Q(('sent_on__isnull', False), models.Q(('sent_method', ''), _negated=True), models.Q(models.Q(('sent_to', ''), _negated=True), ('pupil__isnull', True), _connector='OR')), _connector='OR'), name='sar_response_sent_says_when_how_to_whom_v2'),
        ),
    ]
