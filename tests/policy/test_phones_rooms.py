"""FD-2: phones and room numbers as the front desk types them."""

from __future__ import annotations

from unittest import mock

import phonenumbers
import pytest

from propdesk.core.errors import policy_message
from propdesk.policy.phones import (
    InvalidPhone,
    PhoneQuery,
    mask_phone,
    parse_phone,
    phone_digits,
    phone_query,
)
from propdesk.policy.rooms import InvalidRoom, RoomQuery, parse_room, parse_room_query


@pytest.mark.parametrize(
    ("typed", "number", "ext", "shown"),
    [
        ("13812345678", "13812345678", "", "13812345678"),
        ("+86 138 1234 5678", "13812345678", "", "13812345678"),
        ("138-1234-5678", "13812345678", "", "13812345678"),
        ("0755-8888-1234", "075588881234", "", "0755-88881234"),
        ("0755-8888-1234 转 801", "075588881234", "801", "0755-88881234 转 801"),
        ("0755 88881234转801", "075588881234", "801", "0755-88881234 转 801"),
        ("(010) 6552 9988", "01065529988", "", "010-65529988"),
        ("021-61234567 ext. 12", "02161234567", "12", "021-61234567 转 12"),
    ],
)
def test_fd2_accepts_mobiles_landlines_and_extensions(typed, number, ext, shown) -> None:
    phone = parse_phone(typed)
    assert (phone.number, phone.extension, phone.display()) == (number, ext, shown)


@pytest.mark.parametrize(
    "typed", ["", "12345", "1381234567a", "0755-1234", "23812345678", "+1 415 555 0100", "转801"]
)
def test_fd2_refuses_malformed_numbers_with_a_message(typed) -> None:
    with pytest.raises(InvalidPhone) as refused:
        parse_phone(typed)
    assert str(refused.value)  # a message the receptionist can read


# Mobiles of every prefix, landlines of every area code length, numbers that are too short or
# too long, unassigned ranges, other countries, service numbers.
NUMBERS = [
    *(f"1{p}{n}" for p in range(10, 100) for n in ("12345678", "00000000", "99999999")),
    *(
        f"0{a}{n}"
        for a in ("10", "20", "21", "29", "311", "371", "755", "898", "999")
        for n in ("6123456", "61234567", "88881234", "1234567", "612345678")
    ),
    "+1 650 253 0000",
    "+852 2123 4567",
    "+86 10 6552 9988",
    "+86 400 123 4567",
    "4001234567",
    "95588",
    "110",
    "12345",
    "1381234567",
    "138123456789",
    "+86 138 1234 5678",
]


@pytest.mark.parametrize("typed", NUMBERS)
def test_a_numbers_type_says_whether_it_is_valid_in_china(typed: str) -> None:
    # parse_phone reads a number's validity from its type (one match against the numbering
    # tables instead of two): for +86, is_valid_number is exactly number_type != UNKNOWN.
    parsed = phonenumbers.parse(typed, "CN")
    if parsed.country_code == 86:
        typed_ok = phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.UNKNOWN
        assert typed_ok == phonenumbers.is_valid_number(parsed)


def test_a_number_is_matched_against_the_numbering_tables_once() -> None:
    from phonenumbers import phonenumberutil

    with mock.patch.object(
        phonenumberutil, "_number_type_helper", wraps=phonenumberutil._number_type_helper
    ) as typed:
        assert parse_phone("13812345678").number == "13812345678"
        assert parse_phone("0755-8888-1234").number == "075588881234"
    assert typed.call_count == 2


@pytest.mark.parametrize("typed", NUMBERS)
def test_a_number_is_stored_as_the_digits_of_its_national_format(typed: str) -> None:
    # parse_phone takes the number as stored from the national significant number instead of
    # formatting it: the same digits as its NATIONAL format, 0 added to a landline's where the
    # format leaves it out (every mobile prefix, landlines, service and foreign numbers).
    try:
        parsed = phonenumbers.parse(typed, "CN")
    except phonenumbers.NumberParseException:
        return
    kind = phonenumbers.number_type(parsed)
    try:
        stored = parse_phone(typed).number
    except InvalidPhone:
        return
    if parsed.country_code != 86 or kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return  # a landline the tables do not list: its digits as typed (not this path)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = "".join(c for c in national if c.isdigit())
    if kind != phonenumbers.PhoneNumberType.MOBILE and not digits.startswith("0"):
        digits = "0" + digits
    assert stored == digits


def test_a_number_is_not_formatted_to_be_stored() -> None:
    with mock.patch.object(
        phonenumbers, "format_number", wraps=phonenumbers.format_number
    ) as formatted:
        assert parse_phone("13812345678").number == "13812345678"
        assert parse_phone("0755-8888-1234").number == "075588881234"
        assert parse_phone("+86 400 123 4567").number == "04001234567"
    assert formatted.call_count == 0


def test_phone_digits_keeps_what_was_typed_for_prefix_search() -> None:
    assert phone_digits("138 12") == "13812"
    assert phone_digits("+86 13812345678") == "13812345678"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("3-2-1502", "3-2-1502"),
        ("3栋2单元1502室", "3-2-1502"),
        (" 12－1－301 ", "12-1-301"),
        ("a-1-101", "A-1-101"),
        ("5号楼1单元601", "5-1-601"),
    ],
)
def test_fd2_room_numbers_in_the_forms_offices_write(typed, code) -> None:
    assert parse_room(typed).code == code


@pytest.mark.parametrize("typed", ["", "1502", "3-1502", "门卫室", "3-2-1502-9"])
def test_fd2_refuses_what_is_not_a_room_number(typed) -> None:
    with pytest.raises(InvalidRoom):
        parse_room(typed)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812341234", "138****1234"),
        ("075588881234", "075****1234"),
        ("0755-8888 1234", "075****1234"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_the_first_three_and_last_four_digits(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


# --- the lookup's reading of what is typed (issue 11) --------------------------------------------


@pytest.mark.parametrize(
    ("typed", "area_code", "number"),
    [
        ("8888 1234", "0755", "075588881234"),  # 8-digit local number
        ("8888-1234 转 801", "0755", "075588881234"),
        ("501 2345", "0951", "09515012345"),  # 7-digit local number
        ("0951-5012345", "", "09515012345"),
        ("0086 180 7130 3284", "", "18071303284"),
    ],
)
def test_fd2_a_local_number_takes_the_communitys_area_code(typed, area_code, number) -> None:
    assert parse_phone(typed, area_code=area_code).number == number


def test_fd2_a_local_number_without_an_area_code_is_refused_asking_for_it() -> None:
    with pytest.raises(InvalidPhone) as refused:
        parse_phone("8888 1234")
    assert "area code" in str(refused.value)
    assert policy_message(refused.value) == "座机号码请带区号，例如 0755-88881234：8888 1234"


@pytest.mark.parametrize(
    ("typed", "area_code", "query"),
    [
        ("+86 180 7130 3284", "", PhoneQuery(exact="18071303284")),
        ("+86 180", "", PhoneQuery(prefix="180")),
        ("0086 180", "", PhoneQuery(prefix="180")),
        ("180-71", "", PhoneQuery(prefix="18071")),
        ("0755 8888", "", PhoneQuery(prefix="07558888")),
        ("8888 12", "0755", PhoneQuery(prefix="0755888812")),
        ("8888 1234", "0755", PhoneQuery(exact="075588881234")),
        ("87654321", "", PhoneQuery(local="87654321")),
        ("13", "", PhoneQuery()),
        ("王", "", PhoneQuery()),
        # Longer than any stored number: nothing to search (found by the fuzz run: a prefix of
        # 60,001 digits was a LIKE pattern SQLite refused, a 500).
        ("1" * 20, "", PhoneQuery(prefix="1" * 20)),
        ("1" * 21, "", PhoneQuery()),
        ("1" + "3" * 60_000, "", PhoneQuery()),
    ],
)
def test_fd2_phone_query_reads_a_number_whole_or_in_part(typed, area_code, query) -> None:
    assert phone_query(typed, area_code=area_code) == query


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("4-1-901", RoomQuery("4", "1", "901")),
        ("4/1/901", RoomQuery("4", "1", "901")),
        ("4栋1单元901", RoomQuery("4", "1", "901")),
        ("4号楼1单元901室", RoomQuery("4", "1", "901")),
        ("４－１－９０１", RoomQuery("4", "1", "901")),
        ("4-901", RoomQuery("4", "", "901")),
        ("4栋901", RoomQuery("4", "", "901")),
        ("901", RoomQuery("", "", "901")),
        ("4-1-", RoomQuery("4", "1", "")),
        ("4栋1单元", RoomQuery("4", "1", "")),
        ("4栋", RoomQuery("4", "", "")),
        ("王建国", None),
        ("3-2-1502-9", None),
    ],
)
def test_fd2_parse_room_query_reads_a_room_whole_or_in_part(typed, query) -> None:
    assert parse_room_query(typed) == query


def test_fd2_the_form_takes_a_room_written_with_slashes() -> None:
    assert parse_room("4/1/901").code == "4-1-901"
