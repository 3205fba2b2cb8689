"""Serializers whose fields are built once per class and copied cheaply for each instance.

DRF builds a ModelSerializer's fields for every instance: it introspects the model field by field
(``build_field``) each time, for the order and again for every nested event, clock and
attachment. Our serializers' fields depend on their class alone (nothing is added or dropped per
request: what a role may read is decided in the views, selectors and ``to_representation``), so
the built fields are kept per class.

Even a plain Serializer deep-copies its declared fields for every instance, and a DRF field's
deep copy is a new ``__init__`` with the original arguments (a ChoiceField rebuilds its choices,
a CharField its validators): some 15 field inits for each create's input alone. A field that
holds no other field is copied here with its attributes (``copy_field``): binding the copy to
its serializer sets attributes on the copy only, and validating or rendering reads the shared
ones (choices, validators, messages) without changing them. A field that holds others (a nested
serializer, a list of them, a ListField's child) is deep-copied as DRF does, so its children are
bound to their own parent.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers

_M = TypeVar("_M", bound=Model)
_F = TypeVar("_F", bound=serializers.Field[Any, Any, Any, Any])
_BUILT: dict[type, dict[str, serializers.Field[Any, Any, Any, Any]]] = {}


def copy_field(field: _F) -> _F:
    """A fresh, unbound copy of ``field`` (a template that is never bound itself)."""
    if (
        isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
    ):
        return copy.deepcopy(field)
    new = object.__new__(type(field))
    new.__dict__.update(field.__dict__)
    return new


def copy_fields(
    fields: dict[str, serializers.Field[Any, Any, Any, Any]],
) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    return {name: copy_field(f) for name, f in fields.items()}


class CachedModelSerializer(serializers.ModelSerializer[_M]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = _BUILT.get(cls)
        if built is None:
            built = _BUILT[cls] = super().get_fields()
        return copy_fields(built)


# A plain Serializer (the *In shapes) whose declared fields are copied cheaply. (No docstring:
# drf-spectacular would give it to every subclass without one as its schema description.)
class CachedSerializer(serializers.Serializer[Any]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return copy_fields(self._declared_fields)
