"""查找工单 by the name a caller gave (``desk.search``): an index of a community's orders by
their reporter's name, read for the names that begin with what was typed (王, 王先生).

Without it, a name no order has (or only old ones) reads every order of the community, and a
page's count every order with the name; at 1,000,000 orders see bench/RESULTS.md, "查找工单 by
a caller's name". A trigram index (``desk 0030``) would not do: a surname is one character, a
name two or three, and a trigram needs three. On PostgreSQL the name is in the pattern operator
class (``varchar_pattern_ops``), so ``LIKE '王%'`` is a range of the index whatever the
database's collation, and the index is built CONCURRENTLY: an office's running server goes on
writing orders while a big table is indexed. SQLite builds an ordinary index."""

from django.db import migrations, models

from propdesk.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("desk", "0030_workorder_text_trigrams"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(
                fields=["community", "reporter_name"],
                name="wo_comm_reporter",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
