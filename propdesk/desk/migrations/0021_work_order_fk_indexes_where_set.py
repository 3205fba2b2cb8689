"""Work orders: the single-column indexes of the foreign keys that lead a composite index dropped
(community, household, place, team, assignee); the staff member of a CP-5 complaint and an
announcement's contact indexed only where set. Fewer index writes per order created
(bench/RESULTS.md). The indexes only, no table rebuild (core.migration_ops)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from propdesk.core.migration_ops import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_team_working_hours"),
        ("desk", "0020_announcement_done_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="announcement",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="desk.contact",
                        verbose_name="contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_orders",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="community",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="work_orders",
                        to="community.community",
                        verbose_name="community",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="household",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="work_orders",
                        to="community.household",
                        verbose_name="household",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="place",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="work_orders",
                        to="community.place",
                        verbose_name="sticker place",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="staff_member",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attitude_complaints",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member complained about",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="work_orders",
                        to="community.team",
                        verbose_name="team",
                    ),
                ),
            ],
            database_operations=[
                drop_column_index("desk", "announcement", "contact"),
                drop_column_index("desk", "workorder", "assignee"),
                drop_column_index("desk", "workorder", "community"),
                drop_column_index("desk", "workorder", "household"),
                drop_column_index("desk", "workorder", "place"),
                drop_column_index("desk", "workorder", "staff_member"),
                drop_column_index("desk", "workorder", "team"),
            ],
        ),
        migrations.AddIndex(
            model_name="announcement",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact"],
                name="announce_contact",
            ),
        ),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("staff_member__isnull", False)),
                fields=["staff_member", "-created_at"],
                name="wo_staff_member",
            ),
        ),
    ]
