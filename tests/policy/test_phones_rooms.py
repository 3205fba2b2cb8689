"""FD-2: phones and room numbers as the front desk types them."""

from __future__ import annotations

import pytest

from propdesk.policy.phones import InvalidPhone, mask_phone, parse_phone, phone_digits
from propdesk.policy.rooms import InvalidRoom, parse_room


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
