"""The front desk's form is cleaned straight from the posted data (``web.forms.CleanedFromData``)
and not through a ``BoundField`` per field: what it cleans, and every error and its words, are
exactly what Django's own ``BaseForm._clean_fields`` gives, for every kind of field the form has
(choices, radios, boxes, texts with limits, local times, typed choices, a file), valid or not,
in Chinese and in English."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from propdesk.web.forms import CleanedFromData, IntakeForm

VALID = {
    "channel": "phone",
    "room": "3-2-1502",
    "caller_phone": "13812345678",
    "caller_name": "张伟",
    "intent": "repair",
    "content": "厨房水龙头漏水，请尽快派人维修",
    "outcome": "work_order",
}
BODIES: list[dict[str, Any]] = [
    VALID,
    {},
    {"content": ""},
    {**VALID, "content": "  ", "intent": "", "caller_name": "张" * 60, "room": "x" * 41},
    {**VALID, "channel": "fax", "outcome": "zzz", "service_item": "99", "place": "x"},
    {**VALID, "service_item": "7", "place": "3", "is_important": "on", "is_urgent": "false"},
    {**VALID, "outcome": "promised", "promised_at": "2026-11-27T09:30", "promise_reason": "明天"},
    {**VALID, "promised_at": "2026-13-45", "appointment_at": "tomorrow"},
    {**VALID, "promised_at": "2026-03-08T02:30"},  # not a time in some zones: fine here
    {**VALID, "content": "a\x00b", "complaint_type": "general", "intent": "complaint"},
    {**VALID, "complaint_type": "emergency", "owner_agitated": "1", "no_written_material": "on"},
    {**VALID, "resolution": "已解答" * 500, "location": "大堂" * 101, "promise_reason": "y" * 1001},
]
ITEM, PLACE = SimpleNamespace(pk=7, code="W01", name="换锁"), SimpleNamespace(pk=3, name="大堂")


def _posted(body: dict[str, Any]) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in body.items():
        q[k] = v
    return q


def _cleaned(
    community: Any, body: dict[str, Any], files: Any, *, django: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    form = IntakeForm(
        _posted(body), files, community=community, items=[ITEM], places=[PLACE], initial={}
    )
    if django:
        with mock.patch.object(CleanedFromData, "_clean_fields", forms.BaseForm._clean_fields):
            form.is_valid()
    else:
        form.is_valid()
    errors = {
        k: [(e.code, str(e.message % (e.params or {}))) for e in v]
        for k, v in form.errors.as_data().items()
    }
    return form.cleaned_data, errors


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("body", BODIES)
def test_the_form_cleans_and_words_as_djangos_own(office, body, language) -> None:
    with translation.override(language):
        ours = _cleaned(office.community, body, None, django=False)
        django = _cleaned(office.community, body, None, django=True)
    assert ours == django


@pytest.mark.parametrize(
    "letter",
    [
        SimpleUploadedFile("letter.pdf", b"%PDF-1.4 scanned letter", "application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
    ],
)
def test_a_letter_is_cleaned_as_django_cleans_a_file(office, letter) -> None:
    files = MultiValueDict({"letter": [letter]})
    ours = _cleaned(office.community, VALID, files, django=False)
    django = _cleaned(office.community, VALID, files, django=True)
    assert ours == django  # the same upload, or the same error


def test_a_valid_submit_makes_no_bound_field_but_the_files(office) -> None:
    made: list[str] = []
    original = forms.Field.get_bound_field

    def counted(field: forms.Field, form: forms.BaseForm, name: str) -> forms.BoundField:
        made.append(name)
        return original(field, form, name)

    form = IntakeForm(_posted(VALID), None, community=office.community, items=[], places=[])
    with mock.patch.object(forms.Field, "get_bound_field", counted):
        assert form.is_valid(), form.errors
    assert made == ["letter"]  # FileField cleans with its initial: Django's own way


def test_a_form_with_a_prefix_is_cleaned_by_djangos_steps(office) -> None:
    body = {f"desk-{k}": v for k, v in VALID.items()}
    form = IntakeForm(_posted(body), None, community=office.community, items=[], prefix="desk")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["content"] == VALID["content"]


def test_forms_of_one_time_zone_share_their_times_and_every_form_the_letter(
    office, settings
) -> None:
    # Copied once per zone (or once with the class), not for each form; what each reads and
    # draws stays its own: its zone, the limit and the words of the moment.
    from propdesk.community.models import Community

    def made(community: Any) -> IntakeForm:
        return IntakeForm(None, community=community, items=[], places=[])

    a, b = made(office.community), made(office.community)
    tokyo = made(Community(time_zone="Asia/Tokyo"))
    for name in ("promised_at", "appointment_at"):
        assert a.fields[name] is b.fields[name] is not tokyo.fields[name]
        assert (a.fields[name].time_zone, tokyo.fields[name].time_zone) == (
            "Asia/Shanghai",
            "Asia/Tokyo",
        )
        assert IntakeForm.base_fields[name].time_zone == "Asia/Shanghai"
    assert a.fields["letter"] is b.fields["letter"] is IntakeForm.base_fields["letter"]
    settings.ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    with translation.override("zh-hans"):
        chinese = str(a["letter"])
    with translation.override("en"):
        english = str(b["letter"])
    assert f'data-max-bytes="{3 * 1024 * 1024}"' in chinese and "文件超过 3 MB" in chinese
    assert "The file is larger than 3 MB" in english


def test_a_form_offering_no_item_or_place_copies_neither_field(office) -> None:
    # A submit that names no item or place (the usual one) offers "—" alone: the class's fields
    # serve it as they are. A form that offers more has its own copies, from the first
    # set_choices that offers them (a failed submit's page offers the whole catalogue), and what
    # it offers is never the class's nor another form's.
    def made(items: list[Any], places: list[Any]) -> IntakeForm:
        return IntakeForm(_posted(VALID), community=office.community, items=items, places=places)

    plain, offering = made([], []), made([ITEM], [PLACE])
    for name in ("service_item", "place"):
        assert plain.fields[name] is IntakeForm.base_fields[name]
        assert offering.fields[name] is not IntakeForm.base_fields[name]
    assert plain.is_valid(), plain.errors
    plain.set_choices([ITEM], [PLACE])  # the page drawn after a failed submit
    for form in (plain, offering):
        assert [c for c, _l in form.fields["service_item"].choices] == ["", 7]
        assert [c for c, _l in form.fields["place"].choices] == ["", 3]
        assert 'value="7"' in str(form["service_item"])
    for name in ("service_item", "place"):
        assert plain.fields[name] is not IntakeForm.base_fields[name]
        assert IntakeForm.base_fields[name].choices == [("", "—")]
        assert made([], []).fields[name].choices == [("", "—")]
    offering.set_choices([], [])  # its own copy, back to "—" alone
    assert offering.fields["place"].choices == [("", "—")]
