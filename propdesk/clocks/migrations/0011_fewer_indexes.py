"""Clocks: no index on the policy version (read only from the clock; nothing lists a version's
clocks): one index write less per clock started (bench/RESULTS.md, "The pages a create writes").
The index only, no table rebuild (core.migration_ops)."""

import django.db.models.deletion
from django.db import migrations, models

from propdesk.core.migration_ops import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0010_emergency_no_complaint_clocks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clock",
                    name="policy_version",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="clocks",
                        to="clocks.policyversion",
                        verbose_name="policy version",
                    ),
                ),
            ],
            database_operations=[drop_column_index("clocks", "clock", "policy_version")],
        ),
    ]
