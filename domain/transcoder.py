"""Event state as JSON bytes through orjson, with our types round-tripping exactly.

orjson serialises UUID, datetime, date and enums natively, but as plain strings that
come back as strings. We therefore walk the state first and tag every value whose
type JSON cannot carry: {"_type_": name, "_data_": data}. Types carried:
UUID, datetime (timezone-aware, kept in UTC), date, Decimal, tuple, our enums and
our frozen value dataclasses. Anything else is refused when encoding, so a new
field type can never be stored in a form that will not load again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

from domain import activity, delivery, evaluation, inspection_items, messages, order, points, values

TAG = "_type_"
DATA = "_data_"

# Stable names of our enums and value types: renaming a class never changes these.
ENUMS: dict[str, type[Enum]] = {
    "SkillCategory": values.SkillCategory,
    "TimeSlot": values.TimeSlot,
    "RegistrationBasis": values.RegistrationBasis,
    "MemberStatus": values.MemberStatus,
    "Urgency": values.Urgency,
    "NeedSource": values.NeedSource,
    "Solved": values.Solved,
    "PhotoKind": values.PhotoKind,
    "FollowUpMethod": values.FollowUpMethod,
    "ActivityKind": activity.ActivityKind,
    "SourceKind": points.SourceKind,
    "ItemKind": points.ItemKind,
    "PartnerKind": points.PartnerKind,
    "RedemptionStatus": points.RedemptionStatus,
    "Star": evaluation.Star,
    "WarningLevel": evaluation.WarningLevel,
    "Grade": evaluation.Grade,
    "InspectionItem": inspection_items.InspectionItem,
    "Conclusion": inspection_items.Conclusion,
    "SeedMethod": inspection_items.SeedMethod,
    "PlanStatus": inspection_items.PlanStatus,
    "Channel": messages.Channel,
    "MessageKind": messages.MessageKind,
    "DeliveryStatus": delivery.DeliveryStatus,
    "OrderStatus": order.OrderStatus,
}
VALUE_TYPES: dict[str, type[Any]] = {
    "Grid": values.Grid,
    "GeoPoint": values.GeoPoint,
}
_ENUM_NAMES = {cls: name for name, cls in ENUMS.items()}
_VALUE_NAMES = {cls: name for name, cls in VALUE_TYPES.items()}


class TranscodingError(TypeError):
    pass


def _enum_code(item: Enum) -> Any:
    return item.code if isinstance(item, values.Labelled) else item.value


def _enum_from_code(cls: type[Enum], code: Any) -> Enum:
    if issubclass(cls, values.Labelled):
        for item in cls:
            if item.code == code:
                return item
        raise TranscodingError(f"unknown {cls.__name__} code {code!r}")
    return cls(code)


def encode_value(obj: Any) -> Any:
    """Turn a value into something orjson writes and `decode_value` reads back exactly."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, Enum):
        name = _ENUM_NAMES.get(type(obj))
        if name is None:
            raise TranscodingError(f"enum {type(obj).__qualname__} is not registered")
        return {TAG: "enum:" + name, DATA: _enum_code(obj)}
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TranscodingError(f"dict keys must be str, got {type(key).__name__}")
            out[key] = encode_value(value)
        if set(out) == {TAG, DATA}:
            # A plain dict that happens to look like a tag is wrapped, never misread.
            return {TAG: "dict", DATA: out}
        return out
    if isinstance(obj, list):
        return [encode_value(v) for v in obj]
    if isinstance(obj, tuple):
        return {TAG: "tuple", DATA: [encode_value(v) for v in obj]}
    if isinstance(obj, UUID):
        return {TAG: "uuid", DATA: obj.hex}
    if isinstance(obj, datetime):
        if obj.tzinfo is None or obj.utcoffset() is None:
            raise TranscodingError("naive datetimes are not stored: give a timezone")
        return {TAG: "datetime", DATA: obj.astimezone(UTC).isoformat()}
    if isinstance(obj, date):
        return {TAG: "date", DATA: obj.isoformat()}
    if isinstance(obj, Decimal):
        return {TAG: "decimal", DATA: str(obj)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        name = _VALUE_NAMES.get(type(obj))
        if name is None:
            raise TranscodingError(f"value type {type(obj).__qualname__} is not registered")
        fields = {f.name: encode_value(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return {TAG: "value:" + name, DATA: fields}
    raise TranscodingError(f"cannot store a value of type {type(obj).__qualname__}")


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "uuid": UUID,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "decimal": Decimal,
}


def decode_value(data: Any) -> Any:
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 2 and TAG in data and DATA in data:
        tag, payload = data[TAG], data[DATA]
        if tag == "tuple":
            return tuple(decode_value(v) for v in payload)
        if tag == "dict":
            return {k: decode_value(v) for k, v in payload.items()}
        decoder = _DECODERS.get(tag)
        if decoder is not None:
            return decoder(payload)
        kind, _, name = tag.partition(":")
        if kind == "enum" and name in ENUMS:
            return _enum_from_code(ENUMS[name], payload)
        if kind == "value" and name in VALUE_TYPES:
            return VALUE_TYPES[name](**{k: decode_value(v) for k, v in payload.items()})
        raise TranscodingError(f"unknown stored type tag {tag!r}")
    return {k: decode_value(v) for k, v in data.items()}


class OrjsonTranscoder(Transcoder):
    """The transcoder our Application uses (see domain.application)."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(encode_value(obj))

    def decode(self, data: bytes) -> Any:
        return decode_value(orjson.loads(data))
