"""Complaints get their own period in the retention schedule (purged by
sharing/retention.py), 6 years after the outcome by default."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pupils', '0016_year_group_label'),
    ]

    operations = [
        migrations.AlterField(
            model_name='retentionperiod',
            name='kind',
            field=models.CharField(choices=[('educational_record', 'Educational record (last school)'), ('passed_on_record', 'Educational record passed on to the next school'), ('sen', 'Special educational needs file'), ('child_protection', 'Child-protection information'), ('registers', 'Admission and attendance registers'), ('consent', 'Consent answers'), ('ctf_uploads', 'Uploaded Common Transfer Files and their previews'), ('generated_pdfs', 'Access response PDFs produced for staff to send'), ('complaints', 'Complaints about the handling of personal data'), ('audit_trail', 'Audit trail')], max_length=30, verbose_name='kind of record'),
        ),
    ]
