"""The API's serializers copy their fields cheaply (api.cached) instead of DRF's deep copy, which
builds every field anew for every request. What they accept, refuse and say must stay exactly
what DRF's own copies give: these tests check both on the same bodies."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rest_framework import serializers

from propdesk.api import serializers as s


def _drf_copy(cls: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """``cls`` with DRF's own per-instance deep copy of its fields."""

    def get_fields(self: serializers.Serializer[Any]) -> dict[str, Any]:
        return copy.deepcopy(self._declared_fields)  # type: ignore[attr-defined]

    return type(f"Drf{cls.__name__}", (cls,), {"get_fields": get_fields})


BODIES = [
    {},
    {"community": "x", "kind": "nonsense", "description": 5, "household": "abc"},
    {"community": 1, "kind": "repair", "description": "x" * 4001, "location": "y" * 201},
    {"community": 1, "kind": "repair", "description": "", "appointment_at": "tomorrow"},
    {"community": 1, "kind": "complaint", "complaint_type": "odd", "is_important": "maybe"},
    {"community": 1, "kind": "repair", "description": "漏水", "reporter_phone": None},
    {"community": 1, "kind": "repair", "description": "漏水", "household": 3, "is_urgent": True},
]


@pytest.mark.parametrize("body", BODIES)
def test_the_create_input_accepts_and_refuses_as_drf_does(body) -> None:
    ours, theirs = s.WorkOrderCreateIn(data=body), _drf_copy(s.WorkOrderCreateIn)(data=body)
    assert ours.is_valid() == theirs.is_valid()
    assert ours.errors == theirs.errors
    if not ours.errors:
        assert ours.validated_data == theirs.validated_data


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("resolve", {"version": 0, "fee": "¥abc", "materials": "m" * 201}),
        ("resolve", {"version": 3, "note": "好了", "fee": "45元"}),
        ("dispatch", {"version": 2, "team": "x", "unknown": 1}),
        ("flag", {"version": 2, "flags": {"is_important": "maybe"}}),
        ("wait", {"version": 2}),
    ],
)
def test_the_action_inputs_accept_and_refuse_as_drf_does(name, body) -> None:
    cls = s.ACTION_SERIALIZERS[name]  # a KeyError when an action goes: a failure, not a skip
    ours, theirs = cls(data=body), _drf_copy(cls)(data=body)
    assert ours.is_valid() == theirs.is_valid()
    assert ours.errors == theirs.errors


def test_each_serializer_has_its_own_bound_fields() -> None:
    """Two inputs at once (two requests of one process) never share a bound field."""
    a, b = s.WorkOrderCreateIn(data={}), s.WorkOrderCreateIn(data={})
    for name in a.fields:
        assert a.fields[name] is not b.fields[name]
        assert a.fields[name].parent is a and b.fields[name].parent is b
    # The class's own declared fields stay unbound templates.
    declared = s.WorkOrderCreateIn._declared_fields  # type: ignore[attr-defined]
    assert all(f.parent is None and f.field_name is None for f in declared.values())
