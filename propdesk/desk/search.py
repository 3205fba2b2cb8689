"""查找工单: the console's search for an order, by whatever the caller or a colleague says of it.

An owner rings about "the repair I reported last week": the front desk finds the order by its
number (``GD-20261120-0003``, ``20261120-0003``, ``202611200003``), by the day it was opened
(``20261120``), by the household (a room, a phone, a resident's name: the front desk's own
lookup, ``community.lookup``), or by the words of its description or location (``漏水``,
``3号楼 电梯``). Closed orders are found as well as open ones: that is what the board and the
queues do not show.

Everything is read through ``work_orders_visible`` in the desk's community, so a team member finds
the team's orders only, and through the household lookup's own rule on residents, so a phone or a
name finds a household only for those who read residents. Each way reads through an index (the
number by ``(community, number)``, a day and the words by ``(community, created_at)``,
a household's orders by ``(household, created_at)``), and words of three characters or more by
the trigram index on PostgreSQL (``desk 0030``). Shorter words (most Chinese words are two
characters, 漏水) are found by walking the community's orders newest first, which stops at a
page for a word many orders have, or by reading the table for a word few have: the planner
chooses by the column's statistics (``_planned_for_the_words``). At 1,000,000 orders on
PostgreSQL a page takes 8–45 ms every way but a two-character word no order has, 190 ms
(bench/RESULTS.md, "查找工单"). The words' pages are not counted, for the same reason: a page and
whether another follows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F, Lookup, Q, QuerySet, Value

from propdesk.community.lookup import HouseholdLookup, LookupField, household_lookup
from propdesk.community.models import Community, Household, User
from propdesk.desk.models import WorkOrder
from propdesk.desk.queues import OrderRow, _read_rows, label_rows
from propdesk.desk.selectors import work_orders_visible

# Rows on a page of results.
PAGE = 50
# What a search may be: longer is not something said on the phone (and is refused, kept).
MAX_LENGTH = 100
# Words of at least this many characters are found by PostgreSQL's trigram index.
TRIGRAM = 3
# Households whose orders one search lists at most (a surname may match many).
HOUSEHOLDS = 20

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DASH = r"\s*[-_/.—]?\s*"
# A whole number, its prefix optional: GD-20261120-0003, 20261120-0003, 202611200003.
_NUMBER = re.compile(
    rf"^(?:(?P<prefix>[A-Z][A-Z0-9]{{0,7}}?){_DASH})?(?P<day>\d{{8}}){_DASH}(?P<seq>\d{{1,5}})$",
    re.IGNORECASE,
)
_DAY = re.compile(r"^(?P<day>\d{4}[-/.年]?\d{2}[-/.月]?\d{2})日?$")


class SearchBy(StrEnum):
    """How the text is read: ``ANY`` by its shape (a number, a day, a household, words, in that
    order), or as words or a household alone (the page's choice, when the shape guessed wrong:
    张 is a resident's name and a word of a description)."""

    ANY = ""
    HOUSEHOLD = "household"
    WORDS = "words"


class FoundBy(StrEnum):
    NUMBER = "number"
    DAY = "day"
    HOUSEHOLD = "household"
    WORDS = "words"


@dataclass
class OrderSearch:
    """What a search found: how the text was read, the orders (a page of them, newest first),
    and for a whole number the one order it names (``exact``: the page goes straight to it)."""

    text: str
    by: SearchBy = SearchBy.ANY
    found_by: FoundBy | None = None
    rows: list[OrderRow] = field(default_factory=list)
    page: int = 1
    more: bool = False
    total: int | None = None  # counted where it is cheap (a number, a day, households)
    exact: int | None = None
    number: str = ""  # the whole number looked for (FoundBy.NUMBER)
    day: date | None = None
    households: list[Household] = field(default_factory=list)
    more_households: bool = False
    words: list[str] = field(default_factory=list)
    error: str = ""  # "too_long"

    @property
    def rooms(self) -> str:
        """The rooms of the households found, as one line (4-1-901 4-1-902)."""
        return " ".join(h.code for h in self.households)

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def normalized(text: str) -> str:
    """What was typed, as one form: full-width digits and letters half-width (ＧＤ－２０２６),
    control characters dropped, spaces single, the ends trimmed."""
    text = unicodedata.normalize("NFKC", _CONTROL.sub("", text or ""))
    return " ".join(text.split())


def search_orders(
    user: User,
    community: Community,
    text: str,
    *,
    by: SearchBy | str = SearchBy.ANY,
    page: int = 1,
    limit: int = PAGE,
) -> OrderSearch:
    """Find the orders of ``community`` that ``user`` may see for ``text`` read ``by`` a way."""
    text = normalized(text)
    by = SearchBy(by) if by in SearchBy._value2member_map_ else SearchBy.ANY
    found = OrderSearch(text=text, by=by, page=max(1, page))
    if not text:
        return found
    if len(text) > MAX_LENGTH:
        found.error = "too_long"
        return found
    visible = work_orders_visible(user).filter(community_id=community.pk)
    if by == SearchBy.ANY and (
        _by_number(found, visible, community) or _by_day(found, visible, community)
    ):
        return found
    if by in (SearchBy.ANY, SearchBy.HOUSEHOLD):
        lookup = household_lookup(
            user, text, field=LookupField.ANY, community=community, limit=HOUSEHOLDS
        )
        if lookup.households or by == SearchBy.HOUSEHOLD:
            _by_households(found, visible, lookup, limit)
            return found
    _by_words(found, visible, limit)
    return found


def _by_number(found: OrderSearch, visible: QuerySet[WorkOrder], community: Community) -> bool:
    text, own = found.text, community.order_prefix
    if text.upper().startswith(own.upper()):  # its own prefix first: it may end in a digit
        text = text[len(own) :].lstrip(" -_/.—")
    m = _NUMBER.match(text)
    if not m or _date(m["day"]) is None:
        return False
    prefix = (m["prefix"] or own).upper()
    found.found_by = FoundBy.NUMBER
    found.number = f"{prefix}-{m['day']}-{int(m['seq']):04d}"
    row = visible.filter(number=found.number).values_list("id", flat=True).first()
    found.exact = row
    found.total = 0 if row is None else 1
    if row is not None:
        found.rows = label_rows(_read_rows(visible.filter(pk=row)))
    return True


def _by_day(found: OrderSearch, visible: QuerySet[WorkOrder], community: Community) -> bool:
    m = _DAY.match(found.text)
    day = _date(re.sub(r"\D", "", m["day"])) if m else None
    if day is None:
        return False
    zone = ZoneInfo(community.time_zone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    qs = visible.filter(created_at__gte=start, created_at__lt=end)
    found.found_by, found.day = FoundBy.DAY, day
    _counted_page(found, qs, PAGE)
    return True


def _by_households(
    found: OrderSearch, visible: QuerySet[WorkOrder], lookup: HouseholdLookup, limit: int
) -> None:
    found.found_by = FoundBy.HOUSEHOLD
    found.households = lookup.households
    found.more_households = lookup.note == "more" or len(lookup.households) >= HOUSEHOLDS
    if lookup.households:
        qs = visible.filter(household_id__in=[h.pk for h in lookup.households])
        _counted_page(found, qs, limit)


def _by_words(found: OrderSearch, visible: QuerySet[WorkOrder], limit: int) -> None:
    """Every word in the description or the location, newest first; a page and whether more
    follow, not counted (a count reads every order that has a common word)."""
    found.found_by = FoundBy.WORDS
    found.words = found.text.split(" ")[:5]
    qs = visible
    for word in found.words:
        qs = qs.filter(_words("description", word) | _words("location", word))
    start = (found.page - 1) * limit
    with _planned_for_the_words(min(len(w) for w in found.words) < TRIGRAM):
        rows = _read_rows(_newest(qs)[start : start + limit + 1])
    found.more = len(rows) > limit
    found.rows = label_rows(rows[:limit])


@contextmanager
def _planned_for_the_words(short: bool) -> Iterator[None]:
    """PostgreSQL: the statement planned for the words it is run with, and, for a word shorter
    than a trigram, without bitmap scans (a GIN index is read by bitmap only).

    - The statements are prepared on the server (``server_side_binding``): after five runs
      PostgreSQL may plan one for any word, which cannot know whether the word is common (walk
      the newest orders) or rare (the trigram index, or the table), and keeps its plan whatever
      settings a later run has. ``plan_cache_mode = force_custom_plan`` plans each run for its
      own word and settings (bench/RESULTS.md: a rare five-character word took 242 ms on the plan
      of a two-character one, against 0.14 ms).
    - A pattern of two characters gives the trigram index nothing to look up, so it reads all
      of it (494 ms for a rare word at 1,000,000 orders), and the planner, not knowing, prefers it
      to the two ways that work, which it chooses between by the column's statistics: walking the
      newest orders (0.4 ms for a word one order in ten has) or reading the table (160–200 ms for
      a word none has).

    ``SET LOCAL`` ends with the transaction; for a caller already in one both are reset at once."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        if short:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("RESET enable_bitmapscan")


def _counted_page(found: OrderSearch, qs: QuerySet[WorkOrder], limit: int) -> None:
    total = qs.count()
    pages = max(1, -(-total // limit))
    found.page = min(found.page, pages)
    found.total = total
    start = (found.page - 1) * limit
    found.more = found.page < pages
    if total:
        found.rows = label_rows(_read_rows(_newest(qs)[start : start + limit]))


def _newest(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return qs.order_by("-created_at", "-id")


def _date(digits: str) -> date | None:
    """The day ``YYYYMMDD`` names, if it is one (2000 on): 88881234 is a phone, not a day."""
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return day if day.year >= 2000 else None


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _words(column: str, word: str) -> Q:
    """``column`` contains ``word``, as typed (``%`` and ``_`` are characters), whatever its
    case: ``ILIKE`` on PostgreSQL where the word has letters with a case, ``LIKE`` where it has
    none (Chinese, digits: the same rows, without folding every row's case). Both are answered by
    the trigram index (``desk 0030``) for three characters or more, and both let the planner
    estimate from the column's statistics how many orders have the word (``UPPER(…) LIKE``, a
    Django ``icontains``, does not: it guessed one in 1,200 for a word one in ten has and read
    the whole table for a page). SQLite's LIKE ignores ASCII case itself."""
    return Q(_ILike(F(column), Value(_like(word))))


class _ILike(Lookup[str]):
    lookup_name = "ilike"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        pattern = str(self.rhs.value)
        cased = pattern.lower() != pattern.upper()
        op = "ILIKE" if connection.vendor == "postgresql" and cased else "LIKE"
        return f"{lhs} {op} {rhs} ESCAPE '\\'", (*lhs_params, *rhs_params)
