import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        # Rows made before the column: as untouched since long ago (the worker deletes them at
        # its next tick; the next ask makes the row again).
        migrations.AddField(
            model_name="throttlekey",
            name="touched_at",
            field=models.DateTimeField(
                db_index=True, default=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
            ),
            preserve_default=False,
        ),
    ]
