"""Statements with more parameters than PostgreSQL's protocol carries (65,535), which server-side
binding (DB_PG_PREPARE_THRESHOLD, on by default) would otherwise send as they are: Django's bulk
operations must split them (propdesk.core.postgresql). On SQLite Django splits them under its own
limit; the same writes must work on both."""

from decimal import Decimal

from propdesk.community.models import Household
from tests.conftest import Office

# bulk_update sends five parameters per household for two fields (a WHEN and a THEN for each,
# and the id in the WHERE): 13,200 of them are 66,000 parameters.
MANY = 13_200


def test_a_bulk_update_past_the_protocols_limit_is_sent_in_batches(office: Office) -> None:
    unit = office.household.unit
    Household.objects.bulk_create(
        Household(community=office.community, unit=unit, room=str(i), code=f"t-{i}")
        for i in range(MANY)
    )
    rows = list(Household.objects.filter(code__startswith="t-"))
    assert len(rows) == MANY
    for h in rows:
        h.area, h.note = Decimal("88.50"), "updated"
    Household.objects.bulk_update(rows, ["area", "note"])
    assert Household.objects.filter(note="updated", area=Decimal("88.50")).count() == MANY


def test_in_bulk_with_more_ids_than_the_limit(office: Office) -> None:
    ids = [office.household.pk, *range(10_000_000, 10_070_000)]
    assert list(Household.objects.in_bulk(ids)) == [office.household.pk]
