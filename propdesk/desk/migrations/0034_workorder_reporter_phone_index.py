"""查找工单 by a whole phone number (``desk.search``): an index of a community's orders opened
with no call, visit or portal report (through the API, an emergency's), by their reporter's
phone.

The calls find what a number reported through them (``wo_contact``); an order opened without
one is found by its own ``reporter_phone``, and without this index a number that reported
nothing so (most numbers) read every such order of the community. Partial (``contact IS
NULL``): the front desk's intake, whose orders all have a contact, writes no entry. On
PostgreSQL it is built CONCURRENTLY: an office's running server goes on writing orders while a
big table is indexed; a build cancelled half-way is built again by running the migration again.
SQLite builds an ordinary partial index."""

from django.db import migrations, models

from propdesk.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("desk", "0033_contact_fk_indexes_in_composites"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(
                fields=["community", "reporter_phone"],
                name="wo_comm_reporter_phone",
                condition=models.Q(contact__isnull=True),
            ),
        ),
    ]
