"""The clock log: drop the single-column index of order, which clocklog_order_time already leads
with. The index only, no table rebuild (propdesk.core.migration_ops)."""

import django.db.models.deletion
from django.db import migrations, models

from propdesk.core.migration_ops import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0005_clock_community_own_live_index"),
        ("desk", "0016_event_actions_wait_and_appoint"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clocklog",
                    name="order",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="desk.workorder",
                    ),
                ),
            ],
            database_operations=[drop_column_index("clocks", "ClockLog", "order")],
        ),
    ]
