"""Indexes nothing reads, dropped: an announcement's community and order (the worker reads the
pending rows by id, the purge the done ones by time), a work order's creator and service item,
an event's actor (each read only through its order); a work order's contact indexed only where
set (an order opened through the API has none). A create writes 15 % fewer pages
(bench/RESULTS.md, "The pages a create writes"). The indexes only, no table rebuild
(core.migration_ops): a rebuild would copy every row and drop the events' append-only triggers
on SQLite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from propdesk.core.migration_ops import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_team_working_hours"),
        ("desk", "0027_state_words_over_every_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="announcement",
                    name="community",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="community.community",
                        verbose_name="community",
                    ),
                ),
                migrations.AlterField(
                    model_name="announcement",
                    name="order",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="desk.workorder",
                        verbose_name="work order",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="work_orders",
                        to="desk.contact",
                        verbose_name="contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="service_item",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="desk.serviceitem",
                        verbose_name="service item",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorderevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
            ],
            database_operations=[
                drop_column_index("desk", "announcement", "community"),
                drop_column_index("desk", "announcement", "order"),
                drop_column_index("desk", "workorder", "contact"),
                drop_column_index("desk", "workorder", "created_by"),
                drop_column_index("desk", "workorder", "service_item"),
                drop_column_index("desk", "workorderevent", "actor"),
            ],
        ),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact"],
                name="wo_contact",
            ),
        ),
    ]
