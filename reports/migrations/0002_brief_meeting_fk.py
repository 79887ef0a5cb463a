"""Brief.meeting_id (a plain id kept until the meetings app was merged) becomes a ForeignKey
to meetings.Meeting.

Minutes briefs could only fail before this change (their builder was not wired), so they
hold no file; they are deleted rather than carried over with ids that may name no meeting.
"""

import django.db.models.deletion
from django.db import migrations, models


def delete_unwired_minutes_briefs(apps, schema_editor):
    Brief = apps.get_model("reports", "Brief")
    Brief.objects.filter(kind="minutes").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(delete_unwired_minutes_briefs, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="brief", name="brief_meeting_iff_minutes_kind"),
        migrations.RemoveField(model_name="brief", name="meeting_id"),
        migrations.AddField(
            model_name="brief",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="meetings.meeting",
                verbose_name="rapat",
            ),
        ),
        migrations.AddConstraint(
            model_name="brief",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "minutes"), ("meeting__isnull", False))
                | models.Q(
                    models.Q(("kind", "minutes"), _negated=True), ("meeting__isnull", True)
                ),
                name="brief_meeting_iff_minutes_kind",
            ),
        ),
    ]
