"""The calls: drop the single-column indexes of community and household, which contact_comm_time
and contact_household_time already lead with. The indexes only, no table rebuild
(propdesk.core.migration_ops)."""

import django.db.models.deletion
from django.db import migrations, models

from propdesk.core.migration_ops import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_team_working_hours"),
        ("desk", "0032_contact_caller_name_label"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="community",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contacts",
                        to="community.community",
                        verbose_name="community",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="household",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contacts",
                        to="community.household",
                        verbose_name="household",
                    ),
                ),
            ],
            database_operations=[
                drop_column_index("desk", "Contact", "community"),
                drop_column_index("desk", "Contact", "household"),
            ],
        ),
    ]
