"""Events: drop the single-column indexes of order and community, which event_order_time and
event_comm_id already lead with (one index write less per event). The index only, no table
rebuild (propdesk.core.migration_ops)."""

import django.db.models.deletion
from django.db import migrations, models

from propdesk.core.migration_ops import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_team_working_hours"),
        ("desk", "0017_announcements_to_staff"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="workorderevent",
                    name="community",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="community.community",
                        verbose_name="community",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorderevent",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="desk.workorder",
                        verbose_name="work order",
                    ),
                ),
            ],
            database_operations=[
                drop_column_index("desk", "WorkOrderEvent", "community"),
                drop_column_index("desk", "WorkOrderEvent", "order"),
            ],
        ),
    ]
