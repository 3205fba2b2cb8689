"""Clocks: the live clocks' indexes hold the live clocks only. By state they held every breached
clock, a breach met late or cancelled included (it stays "breached" for the figures), and every
walk of the nearest deadlines (the board, my jobs, the overdue, the queues' sections) read the
community's whole history of breaches first: at 1,000,000 orders with one clock in ten once
breached, the board took 575-656 ms, 110-137 with the live clocks alone (bench/RESULTS.md, "A
breach's history in the live indexes"). A live clock is one neither met nor cancelled
(``clocks.models.LIVE``).

The community's own live clocks (call-backs, quotas) likewise; the worker's question of every
community's quota clock of the period, which read all the community's own clocks through that
index, has its own (rule, start)."""

from django.db import migrations, models

LIVE = models.Q(("cancelled_at__isnull", True), ("met_at__isnull", True))
LIVE_UNPAUSED = models.Q(
    ("cancelled_at__isnull", True), ("met_at__isnull", True), ("paused_at__isnull", True)
)
OWN = models.Q(("contact__isnull", True), ("order__isnull", True))


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0011_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="clock", name="clock_live_rule"),
        migrations.RemoveIndex(model_name="clock", name="clock_live_due"),
        migrations.RemoveIndex(model_name="clock", name="clock_live_order_due"),
        migrations.RemoveIndex(model_name="clock", name="clock_community_own_live"),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=LIVE,
                fields=["community", "state", "rule_id", "due_at"],
                name="clock_live_rule",
            ),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=LIVE_UNPAUSED, fields=["community", "due_at"], name="clock_live_due"
            ),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=LIVE_UNPAUSED, fields=["order", "due_at"], name="clock_live_order_due"
            ),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=OWN & LIVE,
                fields=["community", "state"],
                name="clock_community_own_live",
            ),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=OWN, fields=["rule_id", "started_at"], name="clock_community_own_start"
            ),
        ),
    ]
