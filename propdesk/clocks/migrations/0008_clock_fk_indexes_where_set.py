"""Clocks: the foreign keys' single-column indexes dropped where a composite leads with them
(community, order, contact); an order's and a contact's clock indexes, the met-by and a clock
input's contact indexed only where set (most rows leave one of them empty). Fewer index writes
per order created (bench/RESULTS.md). The indexes only, no table rebuild (core.migration_ops)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from propdesk.core.migration_ops import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0007_clock_live_due"),
        ("community", "0009_team_working_hours"),
        ("desk", "0020_announcement_done_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clock",
                    name="community",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clocks",
                        to="community.community",
                        verbose_name="community",
                    ),
                ),
                migrations.AlterField(
                    model_name="clock",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clocks",
                        to="desk.contact",
                        verbose_name="contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="clock",
                    name="met_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="met by",
                    ),
                ),
                migrations.AlterField(
                    model_name="clock",
                    name="order",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clocks",
                        to="desk.workorder",
                        verbose_name="work order",
                    ),
                ),
                migrations.AlterField(
                    model_name="clockinput",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="desk.contact",
                    ),
                ),
            ],
            database_operations=[
                drop_column_index("clocks", "clock", "community"),
                drop_column_index("clocks", "clock", "contact"),
                drop_column_index("clocks", "clock", "met_by"),
                drop_column_index("clocks", "clock", "order"),
                drop_column_index("clocks", "clockinput", "contact"),
            ],
        ),
        migrations.RemoveIndex(
            model_name="clock",
            name="clock_order_state",
        ),
        migrations.RemoveIndex(
            model_name="clock",
            name="clock_contact_state",
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=models.Q(("order__isnull", False)),
                fields=["order", "state"],
                name="clock_order_state",
            ),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact", "state"],
                name="clock_contact_state",
            ),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=models.Q(("met_by__isnull", False)),
                fields=["met_by"],
                name="clock_met_by",
            ),
        ),
        migrations.AddIndex(
            model_name="clockinput",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact"],
                name="clockinput_contact",
            ),
        ),
    ]
