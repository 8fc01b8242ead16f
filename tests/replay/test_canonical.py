"""RFC 8785 canonical JSON and the leaf envelope.

Vectors: RFC 8785 §3.2.2.2 (string escaping) and §3.2.3 (member ordering by UTF-16
code units), and the string/ordering files of the RFC's reference test data
(github.com/cyberphone/json-canonicalization testdata: weird, french, unicode,
arrays and structures, the last with its one float 56.0 written as the integer 56).
"""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from replay.canonical import CanonicalJSONError, canonical
from replay.leaf import LEAF_VERSION, Leaf, LeafError, decode_leaf, leaf, state_digest
from replay.merkle import leaf_hash


def test_rfc8785_member_ordering() -> None:
    """RFC 8785 §3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33."""
    source = (
        '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return",'
        ' "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",'
        ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",'
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}'
    )
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonical(json.loads(source)) == expected.encode("utf-8")


def test_rfc8785_string_escaping() -> None:
    """The string of RFC 8785 §3.2.2.2's example (its numbers left out)."""
    source = '"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/"'
    expected = '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'
    assert canonical(json.loads(source)) == expected.encode("utf-8")
    # and as the reference's hex dump has it
    assert canonical(json.loads(source)).hex(" ") == (
        "22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22"
    )


def test_reference_weird() -> None:
    source = (
        '{"\\u20ac": "Euro Sign", "1": "One", "\\u0080": "Control\\u007f",'
        ' "\\ud83d\\ude02": "Smiley", "\\u00f6": "Latin Small Letter O With Diaeresis",'
        ' "\\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"}'
    )
    expected = (
        '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\U0001f602":"Smiley",'
        '"\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonical(json.loads(source)) == expected.encode("utf-8")


def test_reference_french_unicode_arrays_structures() -> None:
    french = {
        "peach": "This sorting order",
        "péché": "is wrong according to French",
        "pêche": "but canonicalization MUST",
        "sin": "ingnore locale",
    }
    assert (
        canonical(french)
        == (
            '{"peach":"This sorting order","péché":"is wrong according to French",'
            '"pêche":"but canonicalization MUST","sin":"ingnore locale"}'
        ).encode()
    )
    # no Unicode normalisation
    assert canonical({"Unnormalized Unicode": "\u1e0d\u0307"}) == (
        '{"Unnormalized Unicode":"\u1e0d\u0307"}'.encode()
    )
    assert canonical([56, {"d": True, "10": None, "1": []}]) == (
        b'[56,{"1":[],"10":null,"d":true}]'
    )
    structures = {
        "1": {"f": {"f": "hi", "F": 5}, "\n": 56},
        "10": {},
        "": "empty",
        "a": {},
        "111": [{}],
        "A": {},
    }
    assert canonical(structures) == (
        b'{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}'
    )


def test_control_characters_and_literals() -> None:
    text = "".join(chr(c) for c in range(0x20)) + "\x7f\u2028\u2029/<>&'"
    out = canonical(text).decode("utf-8")
    assert out == (
        '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r'
        "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
        "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\x7f\u2028\u2029/<>&'\""
    )


def test_integers() -> None:
    assert canonical({"a": 0, "b": -1, "c": 2**53 - 1, "d": -(2**53 - 1)}) == (
        b'{"a":0,"b":-1,"c":9007199254740991,"d":-9007199254740991}'
    )
    for big in (2**53, -(2**53), 10**30):
        with pytest.raises(CanonicalJSONError, match="2\\*\\*53"):
            canonical({"n": big})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"x": 1.0}, "float"),
        ({"x": [1, 2.5]}, "float"),
        ({1: "x"}, "not a string"),
        ({("a",): "x"}, "not a string"),
        ({"x": b"bytes"}, "bytes"),
        ({"x": {1, 2}}, "set"),
        ({"x": "\ud800"}, "lone surrogate"),
        ({"\udc00": 1}, "lone surrogate"),
    ],
)
def test_refusals(value: object, message: str) -> None:
    with pytest.raises(CanonicalJSONError, match=message):
        canonical(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53 - 1), 2**53 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_canonical_json_reads_back_and_is_idempotent(value: object) -> None:
    out = canonical(value)
    assert json.loads(out) == value
    assert canonical(json.loads(out)) == out


@given(st.dictionaries(st.text(max_size=4), st.integers(0, 9), min_size=2, max_size=8))
def test_members_sorted_by_utf16_code_units(obj: dict[str, int]) -> None:
    out = json.loads(canonical(obj), object_pairs_hook=lambda pairs: [k for k, _ in pairs])
    assert out == sorted(obj, key=lambda k: k.encode("utf-16-be", "surrogatepass"))


# ------------------------------------------------------------ the leaf envelope

STORED = b'{"community_id":"0b7e","hours":"2.5"}'


def sample_leaf(**changes: object) -> bytes:
    fields: dict[str, object] = {
        "community_id": "0b7e3a0e-8a57-4b8e-9a8c-6f1d2c3b4a59",
        "seq": 0,
        "notification_id": 17,
        "originator_id": "5d9c1f0a-2b3c-4d5e-8f70-1a2b3c4d5e6f",
        "originator_version": 3,
        "topic": "domain.order:Order.Completed",
        "recorded_at": "2024-05-01T08:00:00.123456+00:00",
        "state_sha256": state_digest(STORED),
    }
    fields.update(changes)
    return leaf(**fields)  # type: ignore[arg-type]


def test_state_digest_is_of_the_stored_bytes() -> None:
    assert state_digest(STORED) == hashlib.sha256(STORED).hexdigest()
    assert state_digest(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    with pytest.raises(TypeError):
        state_digest("text")  # type: ignore[arg-type]


def test_leaf_envelope_bytes() -> None:
    assert sample_leaf() == (
        b'{"community":"0b7e3a0e-8a57-4b8e-9a8c-6f1d2c3b4a59",'
        b'"notification_id":17,'
        b'"originator_id":"5d9c1f0a-2b3c-4d5e-8f70-1a2b3c4d5e6f",'
        b'"originator_version":3,'
        b'"recorded_at":"2024-05-01T08:00:00.123456+00:00",'
        b'"seq":0,'
        b'"state_sha256":"' + state_digest(STORED).encode() + b'",'
        b'"topic":"domain.order:Order.Completed",'
        b'"v":1}'
    )
    assert LEAF_VERSION == 1


def test_leaf_round_trip_and_hash() -> None:
    data = sample_leaf(seq=41)
    decoded = decode_leaf(data)
    assert decoded.seq == 41 and decoded.v == LEAF_VERSION
    assert decoded.encode() == data
    assert decoded.leaf_hash() == leaf_hash(data)


@pytest.mark.parametrize(
    "changes",
    [
        {"seq": -1},
        {"seq": True},
        {"notification_id": "17"},
        {"originator_version": 1.0},
        {"community_id": ""},
        {"topic": 5},
        {"state_sha256": "ABC"},
        {"state_sha256": hashlib.sha256(STORED).hexdigest().upper()},
    ],
)
def test_leaf_refuses_bad_fields(changes: dict[str, object]) -> None:
    with pytest.raises(LeafError):
        sample_leaf(**changes)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.replace(b'"v":1', b'"v":2'), "version"),
        (lambda b: b.replace(b'"seq":0', b'"seq":0.0'), "only integers"),
        (lambda b: b.replace(b'{"community"', b'{ "community"'), "canonical"),
        (lambda b: b.replace(b',"v":1}', b"}"), "missing"),
        (lambda b: b.replace(b',"v":1}', b',"v":1,"x":1}'), "unexpected"),
        (lambda b: b.replace(b'"seq":0', b'"seq":0,"seq":0'), "twice"),
        (lambda b: b[:-1], "not valid"),
        (lambda b: b"\xff" + b, "not valid"),
        (lambda b: b"[]", "object"),
        (lambda b: b.replace(b'"notification_id":17', b'"notification_id":"17"'), "integer"),
    ],
)
def test_decode_leaf_refuses(mutate: object, message: str) -> None:
    bad = mutate(sample_leaf())  # type: ignore[operator]
    with pytest.raises(LeafError, match=message):
        decode_leaf(bad)


def test_leaf_dataclass_matches_function() -> None:
    fields = json.loads(sample_leaf())
    fields.pop("v")
    assert Leaf(**fields).encode() == sample_leaf()


bmp_text = st.text(st.characters(codec="utf-8", max_codepoint=0xFFFF), max_size=8)


@given(st.dictionaries(bmp_text, bmp_text | st.integers(-(2**53 - 1), 2**53 - 1), max_size=8))
def test_agrees_with_the_standard_library_within_the_bmp(obj: dict[str, object]) -> None:
    """Below U+10000, UTF-16 order is code point order, and the stdlib's escaping with
    ensure_ascii=False is JCS's: so the two must agree byte for byte."""
    expected = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical(obj) == expected.encode("utf-8")
