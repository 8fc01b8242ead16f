"""Signed notes and checkpoints (C2SP signed-note, tlog-checkpoint; Ed25519).

Interoperability vectors:
- the PeterNeumann key pair and signed note of Go's golang.org/x/mod/sumdb/note
  (its package documentation and note_test.go): Ed25519 is deterministic, so our
  signature must equal theirs byte for byte;
- a real checkpoint of the Go checksum database (sum.golang.org, tree size 49189689)
  and that log's published verifier key.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from replay.checkpoint import (
    EM_DASH,
    BadSignatureError,
    Checkpoint,
    CheckpointError,
    KeyFormatError,
    MalformedCheckpointError,
    MalformedNoteError,
    OriginMismatchError,
    SigningKey,
    UnsignedError,
    VerifierKey,
    extends,
    format_checkpoint,
    generate_key,
    key_id,
    load_signing_key,
    open_note,
    parse_checkpoint,
    parse_note,
    save_signing_key,
    sign_checkpoint,
    sign_note,
    verify_checkpoint,
)
from replay.merkle import EMPTY_ROOT, MerkleTree, leaf_hash

GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n" + EM_DASH + " PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_CHECKPOINT = (
    "go.sum database tree\n"
    "49189689\n"
    "ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n"
    "\n" + EM_DASH + " sum.golang.org "
    "Az3grlKZssqRoMNPpZfKt0TphbbcF+pzXqElURJKRNFKfaUAgqeI5k2AORH0QAhg/ebRwyIqD/OqP4oLtLnNumvOBAM=\n"
)

ORIGIN = "sishuang.example/community/0b7e3a0e-8a57-4b8e-9a8c-6f1d2c3b4a59"
ROOT = leaf_hash(b"some root")


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("sishuang.example/sealer")


@pytest.fixture(scope="module")
def other_key() -> SigningKey:
    return SigningKey.generate("sishuang.example/sealer")


# ------------------------------------------------------------ reference vectors


def test_go_key_pair() -> None:
    signer = SigningKey.parse(GO_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id == 0xC74F20A3
    assert signer.vkey == GO_VKEY
    assert signer.encode() == GO_SKEY
    verifier = VerifierKey.parse(GO_VKEY)
    assert verifier == signer.verifier
    assert verifier.encode() == GO_VKEY
    assert key_id("PeterNeumann", verifier.public_key) == 0xC74F20A3


def test_go_note_signature_is_reproduced_byte_for_byte() -> None:
    assert sign_note(GO_TEXT, SigningKey.parse(GO_SKEY)) == GO_NOTE
    assert open_note(GO_NOTE, GO_VKEY) == GO_TEXT
    assert open_note(GO_NOTE.encode(), GO_VKEY) == GO_TEXT
    with pytest.raises(BadSignatureError):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), GO_VKEY)


def test_real_sumdb_checkpoint_verifies() -> None:
    cp = verify_checkpoint(SUMDB_CHECKPOINT, SUMDB_VKEY, origin="go.sum database tree")
    assert cp.origin == "go.sum database tree"
    assert cp.size == 49189689
    assert cp.root == base64.b64decode("ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=")
    assert cp.extensions == ()
    with pytest.raises(BadSignatureError):
        verify_checkpoint(SUMDB_CHECKPOINT.replace("49189689", "49189690"), SUMDB_VKEY)


def test_go_verifier_key_manglings_are_refused() -> None:
    """As Go's TestNewVerifier: every proper substring and every one-byte change."""
    for i in range(len(GO_VKEY) + 1):
        for j in range(i + 1, len(GO_VKEY) + 1):
            if (i, j) != (0, len(GO_VKEY)):
                with pytest.raises(KeyFormatError):
                    VerifierKey.parse(GO_VKEY[i:j].strip() or "x")
    for i in range(len(GO_VKEY)):
        mangled = GO_VKEY[:i] + chr(ord(GO_VKEY[i]) + 1) + GO_VKEY[i + 1 :]
        with pytest.raises(KeyFormatError):
            VerifierKey.parse(mangled)


# ------------------------------------------------------------ round trip


def test_checkpoint_round_trip(key: SigningKey) -> None:
    note = sign_checkpoint(ORIGIN, 1234, ROOT, key)
    body = f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\n"
    assert note.startswith(body + "\n" + EM_DASH + " sishuang.example/sealer ")
    assert note.endswith("\n")
    cp = verify_checkpoint(note, key.vkey, origin=ORIGIN)
    assert (cp.origin, cp.size, cp.root, cp.extensions) == (ORIGIN, 1234, ROOT, ())
    assert cp.body() == body
    assert [s.name for s in cp.signatures] == [key.name]
    assert parse_checkpoint(note) == cp


def test_checkpoint_with_extensions_and_empty_tree(key: SigningKey) -> None:
    note = sign_checkpoint(ORIGIN, 0, EMPTY_ROOT, key, extensions=["sealed-at 2024-05-01"])
    cp = verify_checkpoint(note, key.verifier)
    assert cp.size == 0 and cp.root == EMPTY_ROOT
    assert cp.extensions == ("sealed-at 2024-05-01",)


def test_bare_private_key_signs_under_the_origin() -> None:
    private = Ed25519PrivateKey.generate()
    note = sign_checkpoint(ORIGIN, 5, ROOT, private)
    vkey = VerifierKey.from_public_key(ORIGIN, private.public_key()).encode()
    assert verify_checkpoint(note, vkey).size == 5
    named = sign_checkpoint(ORIGIN, 5, ROOT, private, key_name="sealer")
    assert named.split("\n")[-2].startswith(EM_DASH + " sealer ")


def test_signing_key_name_must_agree(key: SigningKey) -> None:
    with pytest.raises(KeyFormatError, match="named"):
        sign_checkpoint(ORIGIN, 5, ROOT, key, key_name="someone-else")


@given(
    origin=st.text(st.characters(codec="utf-8", min_codepoint=0x20), min_size=1),
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
)
def test_any_checkpoint_round_trips(origin: str, size: int, root: bytes) -> None:
    signer = SigningKey.parse(GO_SKEY)
    cp = verify_checkpoint(sign_checkpoint(origin, size, root, signer), GO_VKEY)
    assert (cp.origin, cp.size, cp.root) == (origin, size, root)


# ------------------------------------------------------------ refusals


def test_signature_by_another_key_is_refused(key: SigningKey, other_key: SigningKey) -> None:
    note = sign_checkpoint(ORIGIN, 10, ROOT, other_key)
    # same name, different key: a different key ID, so no signature by the trusted key
    with pytest.raises(UnsignedError, match="not signed by"):
        verify_checkpoint(note, key.vkey)


def test_forged_signature_under_the_trusted_name_and_id(
    key: SigningKey, other_key: SigningKey
) -> None:
    """A signature line claiming the trusted key's name and ID but made by another key."""
    body = format_checkpoint(ORIGIN, 10, ROOT)
    forged = other_key.sign(body.encode())
    blob = base64.b64encode(key.key_id.to_bytes(4, "big") + forged).decode()
    note = f"{body}\n{EM_DASH} {key.name} {blob}\n"
    with pytest.raises(BadSignatureError, match="does not verify"):
        verify_checkpoint(note, key.vkey)


def test_other_signatures_are_ignored(key: SigningKey, other_key: SigningKey) -> None:
    """A witness's cosignature next to ours does not stop verification."""
    note = sign_checkpoint(ORIGIN, 10, ROOT, key)
    witness = SigningKey.generate("witness.example")
    witness_line = sign_note(format_checkpoint(ORIGIN, 10, ROOT), witness).split("\n")[-2]
    cosigned = note + witness_line + "\n"
    assert verify_checkpoint(cosigned, key.vkey).size == 10
    assert verify_checkpoint(cosigned, witness.vkey).size == 10
    with pytest.raises(UnsignedError):
        verify_checkpoint(cosigned, other_key.vkey)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda n: n.replace("\n1234\n", "\n1235\n", 1),  # size
        lambda n: n.replace("\n1234\n", "\n123\n", 1),
        lambda n: n.replace("/community/0b7e", "/community/0b7f", 1),  # origin
        lambda n: n.replace(base64.b64encode(ROOT).decode(), base64.b64encode(EMPTY_ROOT).decode()),
        lambda n: n.replace("\n\n", "\nextra line\n\n", 1),  # an added extension line
    ],
)
def test_modified_checkpoint_is_refused(key: SigningKey, tamper: object) -> None:
    note = sign_checkpoint(ORIGIN, 1234, ROOT, key)
    bad = tamper(note)  # type: ignore[operator]
    assert bad != note
    with pytest.raises(BadSignatureError):
        verify_checkpoint(bad, key.vkey)


def test_wrong_origin_is_refused(key: SigningKey) -> None:
    note = sign_checkpoint(ORIGIN, 3, ROOT, key)
    with pytest.raises(OriginMismatchError, match=r"not 'sishuang\.example/community/other'"):
        verify_checkpoint(note, key.vkey, origin="sishuang.example/community/other")


def signed(key: SigningKey, text: str) -> str:
    """Sign any text, bypassing the checkpoint format checks of sign_checkpoint."""
    return sign_note(text, key)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("only one line\n", "1 line"),
        ("origin\n12\n", "2 line"),
        ("\n12\n" + base64.b64encode(ROOT).decode() + "\n", "origin"),
        ("o\n012\n" + base64.b64encode(ROOT).decode() + "\n", "leading zeros"),
        ("o\n-1\n" + base64.b64encode(ROOT).decode() + "\n", "tree size"),
        ("o\n+1\n" + base64.b64encode(ROOT).decode() + "\n", "tree size"),
        ("o\n1_000\n" + base64.b64encode(ROOT).decode() + "\n", "tree size"),
        ("o\n\u0661\n" + base64.b64encode(ROOT).decode() + "\n", "tree size"),  # Arabic 1
        ("o\n 1\n" + base64.b64encode(ROOT).decode() + "\n", "tree size"),
        ("o\n18446744073709551616\n" + base64.b64encode(ROOT).decode() + "\n", "uint64"),
        ("o\n1\n" + base64.b64encode(ROOT[:31]).decode() + "\n", "31 bytes"),
        ("o\n1\n" + base64.b64encode(ROOT).decode().rstrip("=") + "\n", "base64"),
        ("o\n1\n" + ROOT.hex() + "\n", "48 bytes"),
        ("o\n1\n%%%\n", "base64"),
    ],
)
def test_malformed_checkpoint_bodies_are_refused(key: SigningKey, text: str, message: str) -> None:
    note = signed(key, text)
    with pytest.raises(MalformedCheckpointError, match=message):
        verify_checkpoint(note, key.vkey)
    with pytest.raises(MalformedCheckpointError):
        parse_checkpoint(note)


def test_non_canonical_root_base64_is_refused(key: SigningKey) -> None:
    good = base64.b64encode(ROOT).decode()
    # the last character before '=' carries 2 spare bits; set one
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spare = alphabet[alphabet.index(good[-2]) | 1]
    bad = good[:-2] + spare + "="
    assert bad != good and base64.b64decode(bad) == ROOT
    with pytest.raises(MalformedCheckpointError, match="canonical"):
        verify_checkpoint(signed(key, f"o\n1\n{bad}\n"), key.vkey)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda n: n.replace("\n\n", "\n", 1), "blank line"),
        (lambda n: n[:-1], "newline"),
        (lambda n: n.split("\n\n")[0] + "\n\n", "no signature"),
        (lambda n: n.replace(EM_DASH, "-"), "em dash"),
        (lambda n: n.replace(EM_DASH + " ", EM_DASH), "em dash"),
        (lambda n: n.replace(EM_DASH + " sishuang.example/sealer ", EM_DASH + "  "), "key name"),
        (lambda n: n.replace("sealer ", "sealer"), "key name"),
        (lambda n: n.rstrip("\n") + "!\n", "base64"),
        (lambda n: n.replace("\n1234\n", "\n12\t34\n"), "control character"),
        (lambda n: n.replace("\n1234\n", "\n12\r34\n"), "control character"),
        (lambda n: n.replace("\n1234\n", "\n12\x0034\n"), "control character"),
        (lambda n: n.replace("\n1234\n", "\n12\ud80034\n"), "surrogate"),
        (lambda n: n + n.split("\n")[-2] + "\n" + "x\n", "em dash"),
    ],
)
def test_malformed_notes_are_refused(key: SigningKey, mutate: object, message: str) -> None:
    note = sign_checkpoint(ORIGIN, 1234, ROOT, key)
    bad = mutate(note)  # type: ignore[operator]
    with pytest.raises(MalformedNoteError, match=message):
        verify_checkpoint(bad, key.vkey)


def test_short_signature_and_too_many_signatures_are_refused(key: SigningKey) -> None:
    body = format_checkpoint(ORIGIN, 1, ROOT)
    short = base64.b64encode(b"\x00\x01\x02\x03").decode()
    with pytest.raises(MalformedNoteError, match="too short"):
        verify_checkpoint(f"{body}\n{EM_DASH} x {short}\n", key.vkey)
    note = sign_checkpoint(ORIGIN, 1, ROOT, key)
    line = note.split("\n")[-2] + "\n"
    assert verify_checkpoint(note + line * 15, key.vkey).size == 1  # 16 signatures
    with pytest.raises(MalformedNoteError, match="at most 100"):
        verify_checkpoint(note + line * 100, key.vkey)


def test_invalid_utf8_and_non_text_are_refused(key: SigningKey) -> None:
    note = sign_checkpoint(ORIGIN, 1, ROOT, key).encode()
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        verify_checkpoint(note.replace(b"1", b"\xff", 1), key.vkey)
    with pytest.raises(MalformedNoteError):
        verify_checkpoint(12, key.vkey)  # type: ignore[arg-type]


def test_signing_refuses_bad_checkpoints(key: SigningKey) -> None:
    for origin, size, root, extensions in [
        ("", 1, ROOT, ()),
        ("a\nb", 1, ROOT, ()),
        ("a\tb", 1, ROOT, ()),
        ("o", -1, ROOT, ()),
        ("o", 2**64, ROOT, ()),
        ("o", True, ROOT, ()),
        ("o", 1, ROOT[:31], ()),
        ("o", 1, ROOT, ("",)),
        ("o", 1, ROOT, ("a\nb",)),
        ("o", 1, ROOT, "abc"),
    ]:
        with pytest.raises(MalformedCheckpointError):
            sign_checkpoint(origin, size, root, key, extensions=extensions)
    with pytest.raises(MalformedNoteError, match="newline"):
        sign_note("no newline", key)


# ------------------------------------------------------------ keys


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("", "form"),
        ("PeterNeumann", "form"),
        ("PeterNeumann+c74f20a3", "form"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "name"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "name"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "base64"),
        (  # algorithm byte 0x02 (ECDSA) instead of 0x01
            "PeterNeumann+c74f20a3+"
            + base64.b64encode(b"\x02" + base64.b64decode(GO_VKEY.split("+")[2])[1:]).decode(),
            "Ed25519",
        ),
        (  # 31-byte key
            "PeterNeumann+c74f20a3+"
            + base64.b64encode(base64.b64decode(GO_VKEY.split("+")[2])[:-1]).decode(),
            "31",
        ),
    ],
)
def test_bad_verifier_keys(vkey: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        VerifierKey.parse(vkey)
    with pytest.raises(KeyFormatError):
        verify_checkpoint(GO_NOTE, vkey)


def test_generate_key_pair() -> None:
    skey, vkey = generate_key("sishuang.example/sealer")
    assert skey.startswith("PRIVATE+KEY+sishuang.example/sealer+")
    signer = SigningKey.parse(skey)
    assert signer.vkey == vkey
    assert verify_checkpoint(sign_checkpoint(ORIGIN, 1, ROOT, signer), vkey).size == 1
    # The key material is base64, which may itself hold "+": take everything after the
    # name and the key id, never the last "+"-separated piece (that piece can be empty).
    material = skey.split("+", 4)[4]
    assert len(material) == 44
    assert "PRIVATE" not in repr(signer) and material not in repr(signer)
    assert material[:12] not in repr(signer)
    with pytest.raises(KeyFormatError):
        generate_key("has space")
    with pytest.raises(KeyFormatError):
        generate_key("has+plus")


def test_bad_signing_keys_do_not_echo_the_secret() -> None:
    wrong_id = GO_SKEY.replace("c74f20a3", "c74f20a4")
    for bad in [
        wrong_id,
        GO_SKEY[:-4],
        GO_SKEY.replace("+AYEK", "+AoEK"),
        "PRIVATE+KEY+PeterNeumann",
    ]:
        with pytest.raises(KeyFormatError) as caught:
            SigningKey.parse(bad)
        assert "AYEKFALV" not in str(caught.value)


def test_load_signing_key_from_env_value_and_file(tmp_path: Path) -> None:
    assert load_signing_key(GO_SKEY).vkey == GO_VKEY
    assert load_signing_key("  " + GO_SKEY + "\n").vkey == GO_VKEY
    assert load_signing_key(GO_SKEY, name="PeterNeumann").vkey == GO_VKEY
    with pytest.raises(KeyFormatError, match="not of 'Enoch'"):
        load_signing_key(GO_SKEY, name="Enoch")

    path = tmp_path / "sealer.key"
    key = SigningKey.generate("sishuang.example/sealer")
    save_signing_key(path, key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_signing_key(str(path)).vkey == key.vkey
    assert load_signing_key(path).vkey == key.vkey
    with pytest.raises(FileExistsError):
        save_signing_key(path, key)


def test_load_signing_key_pem(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "sealer.pem"
    path.write_text(pem)
    loaded = load_signing_key(str(path), name="sishuang.example/sealer")
    expected = VerifierKey.from_public_key("sishuang.example/sealer", private.public_key())
    assert loaded.verifier == expected
    assert load_signing_key(pem, name="sishuang.example/sealer").verifier == expected
    with pytest.raises(KeyFormatError, match="key name"):
        load_signing_key(pem)


def test_load_signing_key_failures(tmp_path: Path) -> None:
    with pytest.raises(KeyFormatError, match="not found"):
        load_signing_key(str(tmp_path / "missing.key"))
    with pytest.raises(KeyFormatError, match="empty"):
        load_signing_key("")
    junk = tmp_path / "junk.key"
    junk.write_text("hello\n")
    with pytest.raises(KeyFormatError, match="holds no signing key"):
        load_signing_key(str(junk))
    with pytest.raises(KeyFormatError, match="cannot read"):
        load_signing_key(str(tmp_path))  # a directory


def test_errors_share_one_base_class() -> None:
    for error in (
        KeyFormatError,
        MalformedNoteError,
        MalformedCheckpointError,
        UnsignedError,
        BadSignatureError,
        OriginMismatchError,
    ):
        assert issubclass(error, CheckpointError)
        assert issubclass(error, ValueError)


def test_parse_note_returns_unverified_parts() -> None:
    text, sigs = parse_note(GO_NOTE)
    assert text == GO_TEXT
    assert [(s.name, s.key_id) for s in sigs] == [("PeterNeumann", 0xC74F20A3)]
    assert sigs[0].line() == GO_NOTE.split("\n")[-2] + "\n"


# ------------------------------------------------------------ checkpoints and proofs


def test_checkpoints_of_a_growing_log_are_consistent(key: SigningKey) -> None:
    hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(300)]
    tree = MerkleTree(hashes)
    old = verify_checkpoint(sign_checkpoint(ORIGIN, 120, tree.root(120), key), key.vkey)
    new = verify_checkpoint(sign_checkpoint(ORIGIN, 300, tree.root(300), key), key.vkey)
    proof = tree.consistency_proof(120, 300)
    assert extends(old, new, proof)
    # a rewritten history: same size, different leaves
    forked = MerkleTree([*hashes[:50], leaf_hash(b"forged"), *hashes[51:]])
    fork = Checkpoint(ORIGIN, 300, forked.root())
    assert not extends(old, fork, forked.consistency_proof(120, 300))
    assert not extends(old, Checkpoint("elsewhere", 300, tree.root()), proof)
