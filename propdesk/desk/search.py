"""查找工单: the console's search for an order, by whatever the caller or a colleague says of it.

An owner rings about "the repair I reported last week": the front desk finds the order by its
number (``GD-20261120-0003``, ``20261120-0003``, ``202611200003``), by the day it was opened
(``20261120``), by the household (a room, a phone, a resident's name: the front desk's own
lookup, ``community.lookup``; for the office, a whole phone also finds what was reported from
it, in no household too or in one whose residents have another number, a tenant's, a
passer-by's, a relative's: what its calls, visits and portal reports opened, and the orders
opened with none, through the API or for an emergency, whose reporter's phone it is), by the
name its reporter gave (FD-2: "我是王先生, 上周报的修": ``王先生``, or its beginning ``王``,
finds the orders whose ``reporter_name`` begins so, in a household or none), or by the words
of its description or location (``漏水``, ``3号楼 电梯``). Closed orders are found as well as
open ones: that is what the board and the queues do not show.

Text with no digit is read as a name both ways at once: the households of the residents whose
names have it, and the orders whose reporter's name begins with it, in one list (an order found
both ways once, counted once) whose line says which ways found it (``reporter_found``: only when
some order had the name, as a phone is said only when it rang). A name no household has and
no order was reported under is looked for in the words (王先生家漏水). The name is matched from
its beginning: Chinese names begin with the surname, and a caller gives a surname and 先生/女士 or
a whole name; the middle of one (先生, every Mr.) is no name.

Everything is read through ``work_orders_visible`` in the desk's community, so a team member finds
the team's orders only, and through the household lookup's own rule on residents, so a phone or a
name finds a household only for those who read residents. A reporter's name follows the names'
rule (``may_read_residents``: the office and company leadership): a team member reads the
reporter on the team's orders but is not given a search that answers whether someone of a name
reported anything, as the lookup finds them no household by a resident's name (a resident's own
orders carry the resident's name). A phone follows the phones' rule (``may_call_owners``: the
office): for anyone who reads it masked, an answer would confirm the masked digits. Each way
reads through an index (the number by ``(community, number)``, a day and the words by
``(community, created_at)``, a household's orders by ``(household, created_at)``, a phone's
calls' orders by their contact, the orders opened without one by ``(community, reporter_phone)``
of those alone, ``desk 0034``, a reporter's name by ``(community, reporter_name)``, ``desk 0031``,
in PostgreSQL's pattern operator class: ``LIKE '王%'`` is a range of it), and words of three
characters or more by the trigram index on PostgreSQL (``desk 0030``). Shorter words (most
Chinese words are two characters, 漏水) are found by walking the community's orders newest
first, which stops at a page for a word many orders have, or by reading the table for a word few
have: the planner chooses by the column's statistics, each statement planned for its own text
(``_planned``, ``_planned_for_the_words``). At 1,000,000 orders on PostgreSQL a page takes 8–45
ms every way but a two-character word no order has, 190 ms (bench/RESULTS.md, "查找工单"); a
name's page 7–33 ms through the API, 王 (one reporter in twelve, and twenty households) counted
from the indexes, its page 100 60 ms (bench/RESULTS.md, "查找工单 by a caller's name"). The
words' pages are not counted, for the same reason: a page and whether another follows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.db import OperationalError, connection, transaction
from django.db.models import F, Lookup, Q, QuerySet, Value
from django.utils.translation import gettext as _

from propdesk.community.access import may_call_owners, may_read_residents
from propdesk.community.lookup import LookupField, household_lookup
from propdesk.community.models import Community, Household, User
from propdesk.core.errors import ServiceError
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.queues import OrderRow, _read_rows, label_rows
from propdesk.desk.selectors import work_orders_visible
from propdesk.policy.phones import phone_query

# Rows on a page of results.
PAGE = 50
# What a search may be: longer is not something said on the phone (and is refused, kept).
MAX_LENGTH = 100
# Words of at least this many characters are found by PostgreSQL's trigram index.
TRIGRAM = 3
# What may be the beginning of a reporter's name: at most the field's length.
NAME_LENGTH = WorkOrder._meta.get_field("reporter_name").max_length or 50
# Households whose orders one search lists at most (a surname may match many).
HOUSEHOLDS = 20
# A phone's calls, visits and portal reports whose orders one search lists at most, newest first.
CALLS = 1000
# Words of one search at most: each is a condition on every order the walk reads.
MAX_WORDS = 8
# Pages of a search of words at most: 5,000 orders, newest first (type more words to see older).
WORD_PAGES = 100
# The orders a search of words reads at most, whatever its page's size.
WORD_ROWS = WORD_PAGES * PAGE
# On PostgreSQL a statement of a search is cancelled past this (``search_orders``'s
# ``timeout_ms``; the console's and the API's). The slowest way, a two-character word no order
# has, reads a community's table: 170-190 ms at 600,000 orders.
TIMEOUT_MS = 2_000

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DASH = r"\s*[-_/.—]?\s*"
# A whole number, its prefix optional: GD-20261120-0003, 20261120-0003, 202611200003.
_NUMBER = re.compile(
    rf"^(?:(?P<prefix>[A-Z][A-Z0-9]{{0,7}}?){_DASH})?(?P<day>\d{{8}}){_DASH}(?P<seq>\d{{1,5}})$",
    re.IGNORECASE,
)
_DAY = re.compile(r"^(?P<day>\d{4}[-/.年]?\d{2}[-/.月]?\d{2})日?$")
_PHONE_SHAPED = re.compile(r"[\d\s\-+()]+")


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


def console_rows(qs: QuerySet[WorkOrder]) -> list[OrderRow]:
    """A page of found orders as the console's lists draw them (``desk.queues``)."""
    return label_rows(_read_rows(qs))


@dataclass
class OrderSearch:
    """What a search found: how the text was read, the orders (a page of them, newest first),
    and for a whole number the one order it names (``exact``: the page goes straight to it)."""

    text: str
    by: SearchBy = SearchBy.ANY
    found_by: FoundBy | None = None
    rows: list[Any] = field(default_factory=list)  # OrderRow, or what ``read_rows`` gives
    page: int = 1
    more: bool = False
    total: int | None = None  # counted where it is cheap (a number, a day, households)
    exact: int | None = None
    number: str = ""  # the whole number looked for (FoundBy.NUMBER)
    day: date | None = None
    households: list[Household] = field(default_factory=list)
    more_households: bool = False
    caller_phone: str = ""  # a whole phone number something was reported from (a call, an order)
    reporter: str = ""  # the beginning of a reporter's name the orders were looked for by
    reporter_found: bool = False  # and some were reported under it
    calls_read: int = 0  # the number's calls are more than this: the newest this many are read
    words: list[str] = field(default_factory=list)
    error: str = ""  # "too_long", "too_many_words", "timed_out" (the console's)
    # How a page of the found orders becomes ``rows`` (search_orders' ``read``).
    read_rows: Callable[[QuerySet[WorkOrder]], list[Any]] = field(default=console_rows, repr=False)

    @property
    def has_previous(self) -> bool:
        return self.page > 1


class SearchTimedOut(ServiceError):
    """A search ran past its ``timeout_ms`` (PostgreSQL's ``statement_timeout``) and was cancelled:
    a word few orders have, looked for among very many. Nothing was read or changed.
    ``community_id`` and ``length`` (characters) say which search it was, not its text."""

    status = 503
    code = "search_timeout"

    def __init__(self, message: str, *, community_id: int, length: int) -> None:
        super().__init__(message)
        self.community_id = community_id
        self.length = length

    def quiet_log(self) -> tuple[str, str]:
        """A user's too-broad search, not the server failing: a WARNING with the search's
        community and length, never its text (a phone number, a name)."""
        return "Search timed out", f"community {self.community_id}, {self.length} characters"


def word_pages(limit: int) -> int:
    """The pages of ``limit`` orders a search of words reaches (``WORD_ROWS`` orders)."""
    return max(1, WORD_ROWS // max(1, limit))


def as_typed(text: str) -> str:
    """What was typed, cleaned of what no one types: control characters and Unicode's
    invisible format characters (a zero-width space from text copied out of WeChat), spaces
    single (the ideographic space too), the ends trimmed. Words are looked for in this form:
    an order's description is stored as typed, with its full-width ，（３号楼）."""
    text = "".join(c for c in text or "" if unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(text.split())


def normalized(text: str) -> str:
    """``as_typed``, with full-width digits, letters and dashes half-width (ＧＤ－２０２６):
    the form a number, a day, a room or a phone is read in."""
    return as_typed(unicodedata.normalize("NFKC", text or ""))


def search_orders(
    user: User,
    community: Community,
    text: str,
    *,
    by: SearchBy | str = SearchBy.ANY,
    page: int = 1,
    limit: int = PAGE,
    narrow: Q | None = None,
    read: Callable[[QuerySet[WorkOrder]], list[Any]] = console_rows,
    timeout_ms: int | None = None,
) -> OrderSearch:
    """Find the orders of ``community`` that ``user`` may see for ``text`` read ``by`` a way.

    ``narrow``: the caller's own conditions on the orders besides (the API's ``state``,
    ``kind``…). ``read``: how a page of found orders becomes ``rows`` (the console's rows, or the
    API's model instances). ``timeout_ms``: on PostgreSQL, each statement of the search is
    cancelled past it (``SET LOCAL statement_timeout``), raising ``SearchTimedOut``."""
    with _planned(timeout_ms, community, text):
        return _search(user, community, text, by, page, limit, narrow, read)


def _search(
    user: User,
    community: Community,
    text: str,
    by: SearchBy | str,
    page: int,
    limit: int,
    narrow: Q | None,
    read: Callable[[QuerySet[WorkOrder]], list[Any]],
) -> OrderSearch:
    typed = as_typed(text)
    read_as = normalized(text)
    by = SearchBy(by) if by in SearchBy._value2member_map_ else SearchBy.ANY
    found = OrderSearch(text=typed, by=by, page=max(1, page))
    if not typed:
        return found
    if len(typed) > MAX_LENGTH:
        found.error = "too_long"
        return found
    if by != SearchBy.HOUSEHOLD and len(set(typed.split(" "))) > MAX_WORDS:
        found.error = "too_many_words"
        return found
    seen = work_orders_visible(user).filter(community_id=community.pk)
    visible = seen if narrow is None else seen.filter(narrow)
    found.read_rows = read
    if by == SearchBy.ANY and (
        _by_number(found, read_as, visible, community)
        or _by_day(found, read_as, visible, community, limit)
    ):
        return found
    if by in (SearchBy.ANY, SearchBy.HOUSEHOLD):
        # One more than shown, to know whether there are more.
        lookup = household_lookup(
            user, read_as, field=LookupField.ANY, community=community, limit=HOUSEHOLDS + 1
        )
        phone, calls, reported = _reported_from_phone(user, community, seen, read_as)
        name = _reporter_name(user, community, typed)
        if lookup.households or phone or name or by == SearchBy.HOUSEHOLD:
            _by_households(found, visible, lookup.households, limit, phone, calls, name, reported)
            if found.total or lookup.households or phone or by == SearchBy.HOUSEHOLD:
                return found
            # No order was reported under the name: its words, then (王先生家漏水).
            found = OrderSearch(text=typed, by=by, page=max(1, page), read_rows=read)
    _by_words(found, visible, limit)
    return found


def _by_number(
    found: OrderSearch, read: str, visible: QuerySet[WorkOrder], community: Community
) -> bool:
    """A whole number, the community's prefix optional. The prefix is matched as the office set
    it (``jx``), or as typed for one the community had before (its old orders keep theirs)."""
    own = community.order_prefix
    m = None
    if read.upper().startswith(own.upper()):  # its own prefix first: it may end in a digit
        m = _NUMBER.match(read[len(own) :].lstrip(" -_/.—"))
        m = m if m and not m["prefix"] else None
    prefixes = [own]
    if m is None:
        m = _NUMBER.match(read)
        typed = m["prefix"] if m and m["prefix"] else ""
        if typed and typed.upper() != own.upper():
            prefixes = list(dict.fromkeys([typed, typed.upper(), typed.lower()]))
    if not m or _date(m["day"]) is None:
        return False
    tail = f"{m['day']}-{int(m['seq']):04d}"
    found.found_by = FoundBy.NUMBER
    found.number = f"{prefixes[0]}-{tail}"
    found.page = 1
    numbers = [f"{prefix}-{tail}" for prefix in prefixes]
    row = visible.filter(number__in=numbers).values_list("id", flat=True).first()
    found.exact = row
    found.total = 0 if row is None else 1
    if row is not None:
        found.rows = found.read_rows(visible.filter(pk=row))
    return True


def _by_day(
    found: OrderSearch,
    read: str,
    visible: QuerySet[WorkOrder],
    community: Community,
    limit: int = PAGE,
) -> bool:
    m = _DAY.match(read)
    day = _date(re.sub(r"\D", "", m["day"])) if m else None
    if day is None or day == date.max:  # 9999-12-31: no day after it to end the search at
        return False
    zone = ZoneInfo(community.time_zone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    qs = visible.filter(created_at__gte=start, created_at__lt=end)
    found.found_by, found.day = FoundBy.DAY, day
    _counted_page(found, qs, limit)
    return True


def _reported_from_phone(
    user: User, community: Community, seen: QuerySet[WorkOrder], read: str
) -> tuple[str, list[int], Q]:
    """The whole phone number ``read`` is, as the desk stores a caller's and a reporter's, if
    something was reported from it: the community's calls, visits and portal reports that came
    from it (their ids, the newest ``CALLS``), and the condition of the orders of ``seen`` (the
    community's the user sees) opened with none whose reporter's number it is
    (``_reported_without_a_call``; empty if there are none). A tenant, a neighbour or a
    passer-by who rang about a lamp in the garden, or whose number an order of the API or an
    emergency's gives, is in no household. ``("", [], Q())`` for a number nothing was reported
    from, and for anyone but those who read owners' phones whole (the office): for anyone else,
    an answer would confirm the digits a page shows them masked."""
    if not _PHONE_SHAPED.fullmatch(read) or not may_call_owners(user, community.pk):
        return "", [], Q()
    number = phone_query(read, area_code=community.area_code).exact
    if not number:
        return "", [], Q()
    calls = list(
        Contact.objects.filter(caller_phone=number, community_id=community.pk)
        .order_by("-id")
        .values_list("pk", flat=True)[: CALLS + 1]
    )
    reported = _reported_without_a_call(number)
    if not calls and not seen.filter(reported).exists():
        return "", [], Q()
    return number, calls, reported


def _reported_without_a_call(number: str) -> Q:
    """Orders opened with no call, visit or portal report (through the API, an emergency's)
    whose reporter's phone is ``number``: those the calls do not find. Read by the partial
    index ``wo_comm_reporter_phone`` (``desk 0034``), whose own condition (``contact IS NULL``)
    is written here too: SQLite uses a partial index only for a query that says it."""
    return Q(reporter_phone=number, contact__isnull=True)


def _reporter_name(user: User, community: Community, typed: str) -> str:
    """``typed`` as the beginning of a reporter's name (王, 王先生, 张伟), or "" where it is none:
    it has a digit (a room, a phone, a number) or is longer than the field. Only for those who
    read residents' names (``may_read_residents``: the office and company leadership): a team
    member reads the reporter of the team's own orders, but is not given a search that answers
    whether someone of that name reported anything, as the household lookup does not find them
    a household by a resident's name; and a resident's orders carry the resident's name."""
    if (
        len(typed) > NAME_LENGTH
        or re.search(r"\d", typed)
        or not may_read_residents(user, community.pk)
    ):
        return ""
    return typed


def _reported_by(name: str) -> Q:
    """Orders whose reporter's name begins with ``name``, as typed (case too), read by the index
    ``wo_comm_reporter`` (``desk 0031``): PostgreSQL's ``LIKE '王%'`` by its pattern operator
    class, SQLite's by the range of names that begin so (its LIKE reads every row)."""
    if connection.vendor == "postgresql":
        return Q(reporter_name__startswith=name)
    return Q(reporter_name__gte=name, reporter_name__lt=name + "\U0010ffff")


def reported_from(user: User, community: Community, phone: str, limit: int) -> OrderSearch:
    """The orders reported from ``phone`` (a whole number) by its calls, visits and portal
    reports, and those opened without one whose reporter's phone it is (the API's, an
    emergency's), whichever household or none they are for, newest first: the front desk's
    panel and the ringing banner for a number in no household. Empty (``caller_phone`` blank)
    when nothing was reported from the number or the user does not read phones whole."""
    found = OrderSearch(text=as_typed(phone), by=SearchBy.HOUSEHOLD)
    visible = work_orders_visible(user).filter(community_id=community.pk)
    number, calls, reported = _reported_from_phone(user, community, visible, normalized(phone))
    if number:
        _by_households(found, visible, [], limit, number, calls, without_a_call=reported)
    return found


def _by_households(
    found: OrderSearch,
    visible: QuerySet[WorkOrder],
    households: list[Household],
    limit: int,
    caller_phone: str = "",
    calls: list[int] | None = None,
    reporter: str = "",
    without_a_call: Q | None = None,
) -> None:
    """The households' orders and, for a whole phone, the orders reported from it: those its
    calls and visits opened, and those opened with none whose reporter's phone it is
    (``without_a_call``, ``_reported_without_a_call``), whichever household (or none) they are for;
    for a name, the orders whose reporter's name begins with it (王先生, a tenant's, in no
    household or another's). One statement of them all: an order found two ways is listed
    once."""
    found.found_by = FoundBy.HOUSEHOLD
    found.households = households[:HOUSEHOLDS]
    found.more_households = len(households) > HOUSEHOLDS
    found.caller_phone = caller_phone
    found.reporter = reporter
    found.calls_read = CALLS if calls and len(calls) > CALLS else 0
    calls = (calls or [])[:CALLS]
    known = Q(household_id__in=[h.pk for h in found.households]) if found.households else Q()
    # Lists, not subqueries: each side is read by its own index (wo_household_time,
    # wo_contact, wo_comm_reporter_phone), SQLite's MULTI-INDEX OR and PostgreSQL's BitmapOr.
    if calls:
        known |= Q(contact_id__in=calls)
    if without_a_call:
        known |= without_a_call
    named = _reported_by(reporter) if reporter else Q()  # wo_comm_reporter
    if not (known or named):
        return
    total = None
    if known and named:
        # Counted as the known ones, plus the named, less those both: the named from the index
        # alone, the others among the households' few. One count of them all reads every order
        # of a common surname from the table: 150 ms for 王's 49,613 at 1,000,000 orders,
        # against 26 ms so (bench/RESULTS.md).
        total = visible.filter(known).count()
        if reported := visible.filter(named).count():
            total += reported - visible.filter(known & named).count()
        else:
            named = Q()
    _counted_page(found, visible.filter(known | named), limit, total)
    # Said on the page only where some order had the name, as a phone only where something
    # was reported from it (``_reported_from_phone``).
    found.reporter_found = bool(named) and bool(found.total)


def _by_words(found: OrderSearch, visible: QuerySet[WorkOrder], limit: int) -> None:
    """Every word in the description or the location, newest first; a page and whether more
    follow, not counted (a count reads every order that has a common word)."""
    found.found_by = FoundBy.WORDS
    found.words = list(dict.fromkeys(found.text.split(" ")))  # every word, each once
    # A page a person reaches by 下一页, not an OFFSET of millions from an edited address.
    found.page = min(found.page, word_pages(limit))
    qs = visible
    for word in found.words:
        # As typed (，（３号楼）, as the description was), or in half-width (3号楼 typed ３号楼).
        forms = dict.fromkeys([word, unicodedata.normalize("NFKC", word)])
        qs = qs.filter(
            reduce(
                or_, (_words(column, w) for w in forms for column in ("description", "location"))
            )
        )
    start = (found.page - 1) * limit
    with _planned_for_the_words(min(len(w) for w in found.words) < TRIGRAM):
        rows = found.read_rows(_newest(qs)[start : start + limit + 1])
    found.more = len(rows) > limit and found.page < word_pages(limit)
    found.rows = rows[:limit]


@contextmanager
def _planned_for_the_words(short: bool) -> Iterator[None]:
    """PostgreSQL: for a word shorter than a trigram, the statement planned without bitmap scans
    (a GIN index is read by bitmap only), ``SET LOCAL`` (``_set_local``). A pattern of two
    characters gives the trigram index nothing to look up, so it reads all of it (494 ms for a
    rare word at 1,000,000 orders), and the planner, not knowing, prefers it to the two ways that
    work, which it chooses between by the column's statistics: walking the newest orders (0.4 ms
    for a word one order in ten has) or reading the table (160–200 ms for a word none has). It
    can choose because the statement is planned for its own word (``_planned``)."""
    if not short or connection.vendor != "postgresql":
        yield
        return
    with _set_local({"enable_bitmapscan": "off"}):
        yield


@contextmanager
def _planned(timeout_ms: int | None, community: Community, text: str) -> Iterator[None]:
    """PostgreSQL: every statement of a search planned for the text it is run with and, with
    ``timeout_ms``, cancelled past it (as ``SearchTimedOut``, of ``community``, as long as
    ``text``); both ``SET LOCAL`` (``_set_local``), in one statement; nothing on SQLite.

    The statements are prepared on the server (``server_side_binding``): after five runs
    PostgreSQL may plan one for any text, and keeps its plan whatever settings a later run has.
    A plan for any word cannot know whether the word is common (walk the newest orders) or rare
    (the trigram index, or the table) (bench/RESULTS.md: a rare five-character word took 242 ms
    on the plan of a two-character one, against 0.14 ms); a plan for any name cannot read
    ``reporter_name LIKE $1`` by the pattern index at all (only ``'王%'`` is a range of it), nor
    know whether to walk the newest orders (王, on one name in twelve) or read the index (a
    whole name). ``plan_cache_mode = force_custom_plan`` plans each run for its own."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = {"plan_cache_mode": "force_custom_plan"}
    if timeout_ms is not None:
        settings["statement_timeout"] = str(int(timeout_ms))
    try:
        with _set_local(settings):
            yield
    except OperationalError as exc:
        if timeout_ms is None or getattr(exc.__cause__, "sqlstate", None) != "57014":
            raise  # 57014: query_canceled
        raise SearchTimedOut(
            _("The search took too long and was stopped. Add words, or look in fewer orders."),
            community_id=community.pk,
            length=len(as_typed(text)),
        ) from exc


@contextmanager
def _set_local(settings: dict[str, str]) -> Iterator[None]:
    """PostgreSQL's ``settings`` for what runs inside, ``SET LOCAL``: they end with the
    transaction (one is opened if none is), or, for a caller already in one, are set back to the
    caller's own values when done."""
    names, values = list(settings), list(settings.values())
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # The caller's values read and ours set in one statement; set_config(…, true) is SET
        # LOCAL: it ends with the transaction, and a rollback to the savepoint (an error
        # inside) takes it back.
        cursor.execute(
            "SELECT " + ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names),
            [x for name, value in zip(names, values, strict=True) for x in (name, name, value)],
        )
        before = cursor.fetchone()[0::2]
        yield
        if nested:  # the caller's transaction goes on: its own values back for it
            cursor.execute(
                "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                [x for name, value in zip(names, before, strict=True) for x in (name, value)],
            )


def _counted_page(
    found: OrderSearch, qs: QuerySet[WorkOrder], limit: int, total: int | None = None
) -> None:
    """A page of ``qs``, newest first, and how many there are (``total``, if already counted)."""
    total = qs.count() if total is None else total
    pages = max(1, -(-total // limit))
    found.page = min(found.page, pages)
    found.total = total
    start = (found.page - 1) * limit
    found.more = found.page < pages
    if total:
        found.rows = found.read_rows(_newest(qs)[start : start + limit])


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
