"""Signed checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes, Ed25519 only.

A checkpoint states the size and root of a community log at one moment, signed by the
sealer's key. It is a signed note (https://c2sp.org/signed-note) whose text is the
checkpoint body (https://c2sp.org/tlog-checkpoint)::

    sishuang.example/community/0b7e…      origin: which log
    1234                                  tree size, decimal, no leading zeros
    Ht8aQ0rD0n2…Yk=                       root hash, standard base64 of 32 bytes
                                          (optional extension lines, non-empty)
    (blank line)
    — sishuang.example/sealer AbCdEfGh…   one or more signature lines

Each signature line is an em dash (U+2014), a space, the key name, a space and
``base64(key ID ‖ Ed25519 signature of the text)``, where the key ID is the first four
bytes of ``SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ 32-byte public key)``.

Key formats (those of Go's golang.org/x/mod/sumdb/note, so its tools interoperate):

- verifier key, given to auditors out of band and safe to publish:
  ``<name>+<key ID, 8 hex digits>+<base64(0x01 ‖ 32-byte public key)>``
- signing key, a secret: ``PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ 32-byte seed)>``,
  as one line of text in a file (mode 0600) or in an environment variable. An
  unencrypted PKCS#8 PEM Ed25519 key (``openssl genpkey -algorithm ed25519``) is also
  read, given the key name separately. Signing keys never live in the database.

Verification trusts only the verifier key it is given; a note never supplies its own.
Signatures by other keys (witness cosignatures, a rotated key) are ignored; every
signature claiming the trusted key's name and ID must verify, and at least one must.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from replay.merkle import HASH_SIZE, verify_consistency

ALG_ED25519 = 0x01
EM_DASH = "\u2014"
MAX_SIGNATURES = 100
"""Notes with more signature lines than this are refused (the spec requires ≥ 16)."""

_SIG_PREFIX = EM_DASH + " "
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")
_TREE_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_FORBIDDEN = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SPACE = re.compile(r"\s")


class CheckpointError(ValueError):
    """Base class: anything wrong with a key, a note or a checkpoint."""


class KeyFormatError(CheckpointError):
    """A verifier or signing key that cannot be read."""


class MalformedNoteError(CheckpointError):
    """Text that is not a well-formed signed note."""


class MalformedCheckpointError(CheckpointError):
    """A note whose text is not a well-formed checkpoint body."""


class UnsignedError(CheckpointError):
    """A well-formed note with no signature by the trusted key."""


class BadSignatureError(CheckpointError):
    """A signature claiming to be by the trusted key that does not verify."""


class OriginMismatchError(CheckpointError):
    """A checkpoint, validly signed, for a different log than the one expected."""


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty, valid Unicode, with no Unicode spaces and no ``+``."""
    return (
        isinstance(name, str)
        and name != ""
        and "+" not in name
        and _SPACE.search(name) is None
        and _FORBIDDEN.search(name) is None
        and _is_unicode(name)
    )


def _is_unicode(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _b64decode(text: str, what: str, error: type[CheckpointError]) -> bytes:
    """Strict standard base64: the alphabet, padding, and the one canonical encoding."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise error(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise error(f"{what} is not canonical base64")
    return raw


def key_id(name: str, public_key: bytes) -> int:
    """The note key ID: SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)[:4], big-endian."""
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key
    ).digest()
    return int.from_bytes(digest[:4], "big")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class VerifierKey:
    """An Ed25519 note verifier key: a name, its key ID and the public key."""

    name: str
    key_id: int
    public_key: bytes  # 32 bytes

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """Read ``<name>+<key ID hex>+<base64(0x01 ‖ public key)>``."""
        if not isinstance(vkey, str):
            raise KeyFormatError("a verifier key is text: <name>+<key id>+<base64 key>")
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise KeyFormatError(
                "verifier key is not of the form <name>+<8 hex digit key id>+<base64 key>"
            )
        name, id_hex, key64 = parts
        if not is_valid_key_name(name):
            raise KeyFormatError(f"verifier key name {name!r} is empty or has spaces")
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise KeyFormatError(f"verifier key id {id_hex!r} is not 8 hex digits")
        raw = _b64decode(key64, "verifier key material", KeyFormatError)
        if not raw or raw[0] != ALG_ED25519:
            raise KeyFormatError("verifier key is not an Ed25519 key (algorithm byte 0x01)")
        public = raw[1:]
        if len(public) != 32:
            raise KeyFormatError(f"Ed25519 verifier key has {len(public)} bytes, not 32")
        if int(id_hex, 16) != key_id(name, public):
            raise KeyFormatError(
                f"verifier key id {id_hex} does not match its name and key "
                f"(expected {key_id(name, public):08x})"
            )
        try:
            Ed25519PublicKey.from_public_bytes(public)
        except ValueError as e:
            raise KeyFormatError(f"verifier key is not a valid Ed25519 key: {e}") from None
        return cls(name, int(id_hex, 16), public)

    @classmethod
    def from_public_key(cls, name: str, public_key: Ed25519PublicKey | bytes) -> VerifierKey:
        if not is_valid_key_name(name):
            raise KeyFormatError(f"key name {name!r} is empty or has spaces or '+'")
        raw = public_key if isinstance(public_key, bytes) else _raw_public(public_key)
        if len(raw) != 32:
            raise KeyFormatError(f"Ed25519 public key has {len(raw)} bytes, not 32")
        return cls(name, key_id(name, raw), raw)

    def encode(self) -> str:
        material = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id:08x}+{material}"

    def __str__(self) -> str:
        return self.encode()

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 note signing key and the name it signs under."""

    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise KeyFormatError(f"key name {self.name!r} is empty or has spaces or '+'")

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, skey: str) -> SigningKey:
        """Read ``PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 ‖ seed)>``.

        Error messages never repeat the key material.
        """
        text = skey.strip()
        if not text.startswith(_PRIVATE_PREFIX):
            raise KeyFormatError("signing key does not start with PRIVATE+KEY+")
        parts = text[len(_PRIVATE_PREFIX) :].split("+", 2)
        if len(parts) != 3:
            raise KeyFormatError(
                "signing key is not of the form PRIVATE+KEY+<name>+<key id>+<base64 key>"
            )
        name, id_hex, key64 = parts
        if not is_valid_key_name(name):
            raise KeyFormatError("signing key name is empty or has spaces")
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise KeyFormatError("signing key id is not 8 hex digits")
        raw = _b64decode(key64, "signing key material", KeyFormatError)
        if not raw or raw[0] != ALG_ED25519:
            raise KeyFormatError("signing key is not an Ed25519 key (algorithm byte 0x01)")
        if len(raw) != 33:
            raise KeyFormatError(f"Ed25519 signing key has {len(raw) - 1} bytes, not 32")
        key = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if int(id_hex, 16) != key.key_id:
            raise KeyFormatError(f"signing key id {id_hex} does not match its name and key")
        return key

    @property
    def public_key(self) -> bytes:
        return _raw_public(self.private_key.public_key())

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_key)

    @property
    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.key_id, self.public_key)

    @property
    def vkey(self) -> str:
        """The verifier key to give auditors."""
        return self.verifier.encode()

    def encode(self) -> str:
        """The ``PRIVATE+KEY+...`` text. A secret: keep it out of logs and databases."""
        seed = self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        material = base64.b64encode(bytes([ALG_ED25519]) + seed).decode("ascii")
        return f"{_PRIVATE_PREFIX}{self.name}+{self.key_id:08x}+{material}"

    def __repr__(self) -> str:  # never print the secret
        return f"SigningKey(name={self.name!r}, key_id={self.key_id:08x})"

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def generate_key(name: str) -> tuple[str, str]:
    """A new key pair for ``name``: ``(signing key text, verifier key text)``."""
    key = SigningKey.generate(name)
    return key.encode(), key.vkey


def save_signing_key(path: str | os.PathLike[str], key: SigningKey) -> None:
    """Write ``key`` to a new file readable by its owner only (refuses to overwrite)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key.encode() + "\n")


def _signing_key_from_text(text: str, name: str | None, source: str) -> SigningKey:
    stripped = text.strip()
    if stripped.startswith(_PRIVATE_PREFIX):
        key = SigningKey.parse(stripped)
        if name is not None and name != key.name:
            raise KeyFormatError(f"{source} is the key of {key.name!r}, not of {name!r}")
        return key
    if stripped.startswith("-----BEGIN"):
        if name is None:
            raise KeyFormatError(f"{source} is a PEM key: give the key name to sign under")
        try:
            private = serialization.load_pem_private_key(stripped.encode("ascii"), None)
        except (ValueError, TypeError, UnicodeEncodeError):
            raise KeyFormatError(f"{source} is not an unencrypted PKCS#8 PEM key") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyFormatError(f"{source} is a PEM key but not an Ed25519 one")
        return SigningKey(name, private)
    raise KeyFormatError(
        f"{source} holds no signing key: expected PRIVATE+KEY+<name>+<id>+<base64> "
        "or an Ed25519 PKCS#8 PEM key"
    )


def load_signing_key(
    path_or_env_value: str | os.PathLike[str], *, name: str | None = None
) -> SigningKey:
    """The signing key in an environment variable's value or in the file it names.

    ``path_or_env_value`` is either the key itself (``PRIVATE+KEY+...``, or PEM text)
    or the path of a file holding it. ``name`` is required for a PEM key (which has no
    name) and, for a ``PRIVATE+KEY`` key, checked against the key's own name.
    """
    if isinstance(path_or_env_value, str):
        stripped = path_or_env_value.strip()
        if stripped.startswith((_PRIVATE_PREFIX, "-----BEGIN")):
            return _signing_key_from_text(stripped, name, "the key value")
    if not path_or_env_value:
        raise KeyFormatError("no signing key given (empty value)")
    path = Path(path_or_env_value)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyFormatError(
            "signing key not found: the value is neither a key (PRIVATE+KEY+...) "
            "nor the path of an existing file"
        ) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL in the value, or not UTF-8
        # Name the file only if there is one: a mistyped key must not end up in a log.
        where = f" {str(path)!r}" if os.path.exists(path) else ""
        reason = e.strerror if isinstance(e, OSError) else type(e).__name__
        raise KeyFormatError(f"cannot read signing key file{where}: {reason}") from None
    return _signing_key_from_text(text, name, f"key file {str(path)!r}")


# ---------------------------------------------------------------- signed notes


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a note, not verified by itself."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{_SIG_PREFIX}{self.name} {blob}\n"


def _check_note_chars(text: str, error: type[CheckpointError], what: str) -> None:
    if not _is_unicode(text):
        raise error(f"{what} is not valid Unicode (lone surrogate)")
    bad = _FORBIDDEN.search(text)
    if bad:
        raise error(
            f"{what} contains the control character U+{ord(bad.group()):04X} "
            f"at offset {bad.start()}; only newlines are allowed"
        )


def sign_note(text: str, key: SigningKey) -> str:
    """``text`` (ending in a newline) signed by ``key``: a note with one signature."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_note_chars(text, MalformedNoteError, "note text")
    signature = key.sign(text.encode("utf-8"))
    return text + "\n" + NoteSignature(key.name, key.key_id, signature).line()


def _note_text(note: str | bytes) -> str:
    if isinstance(note, bytes | bytearray):
        try:
            return bytes(note).decode("utf-8")
        except UnicodeDecodeError as e:
            raise MalformedNoteError(f"note is not valid UTF-8 (byte {e.start})") from None
    if not isinstance(note, str):
        raise MalformedNoteError(f"a note is text, not {type(note).__name__}")
    return note


def parse_note(note: str | bytes) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signature lines, checking the format
    only. Nothing here is verified: never act on the text this returns."""
    msg = _note_text(note)
    _check_note_chars(msg, MalformedNoteError, "note")
    split = msg.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no blank line before its signatures")
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block:
        raise MalformedNoteError("note has no signature lines after its blank line")
    if not block.endswith("\n"):
        raise MalformedNoteError("note's last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has {len(lines)} signatures; at most {MAX_SIGNATURES}")
    signatures = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith(_SIG_PREFIX):
            raise MalformedNoteError(
                f"signature line {number} does not start with an em dash and a space"
            )
        name, sep, blob = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or not is_valid_key_name(name):
            raise MalformedNoteError(f"signature line {number} has no valid key name")
        raw = _b64decode(blob, f"signature line {number}", MalformedNoteError)
        if len(raw) < 5:
            raise MalformedNoteError(f"signature line {number} is too short to hold a signature")
        signatures.append(NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
    return text, signatures


def _verifier(vkey: str | VerifierKey) -> VerifierKey:
    return vkey if isinstance(vkey, VerifierKey) else VerifierKey.parse(vkey)


def open_note(note: str | bytes, vkey: str | VerifierKey) -> str:
    """The text of ``note`` once a signature by ``vkey`` has verified.

    Raises ``MalformedNoteError``, ``BadSignatureError`` (a line claiming the key's name
    and ID that does not verify) or ``UnsignedError`` (no line by that key).
    """
    return _open(note, _verifier(vkey))[0]


def _open(note: str | bytes, verifier: VerifierKey) -> tuple[str, list[NoteSignature]]:
    text, signatures = parse_note(note)
    message = text.encode("utf-8")
    verified = 0
    for sig in signatures:
        if sig.name != verifier.name or sig.key_id != verifier.key_id:
            continue  # another key's signature (a witness, an old key): not ours to judge
        if not verifier.verify(message, sig.signature):
            raise BadSignatureError(
                f"the signature by {verifier.name}+{verifier.key_id:08x} does not verify: "
                "the note was altered or signed by another key"
            )
        verified += 1
    if not verified:
        found = ", ".join(f"{s.name}+{s.key_id:08x}" for s in signatures)
        raise UnsignedError(
            f"note is not signed by {verifier.name}+{verifier.key_id:08x} (signed by: {found})"
        )
    return text, signatures


# ---------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """A log's size and root hash, as a checkpoint states them."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()
    signatures: tuple[NoteSignature, ...] = ()

    def body(self) -> str:
        """The checkpoint's note text (what is signed)."""
        return format_checkpoint(self.origin, self.size, self.root, self.extensions)


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """The note text of a checkpoint: origin, size and root lines, then extensions."""
    if not isinstance(origin, str) or not origin or "\n" in origin:
        raise MalformedCheckpointError("checkpoint origin must be one non-empty line")
    _check_note_chars(origin, MalformedCheckpointError, "checkpoint origin")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size < 2**64:
        raise MalformedCheckpointError(f"checkpoint size {size!r} is not a uint64")
    if not isinstance(root, bytes | bytearray) or len(root) != HASH_SIZE:
        raise MalformedCheckpointError(f"checkpoint root must be {HASH_SIZE} bytes")
    if isinstance(extensions, str):
        raise MalformedCheckpointError("checkpoint extensions are a sequence of lines")
    for line in extensions:
        if not isinstance(line, str) or not line or "\n" in line:
            raise MalformedCheckpointError("checkpoint extension lines must be non-empty lines")
        _check_note_chars(line, MalformedCheckpointError, "checkpoint extension line")
    lines = [origin, str(size), base64.b64encode(bytes(root)).decode("ascii"), *extensions]
    return "".join(line + "\n" for line in lines)


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    private_key: SigningKey | Ed25519PrivateKey,
    key_name: str | None = None,
    extensions: Sequence[str] = (),
) -> str:
    """The signed checkpoint note for a log of ``size`` leaves with this ``root``.

    With a ``SigningKey``, ``key_name`` defaults to (and must equal) the key's name;
    with a bare ``Ed25519PrivateKey`` it defaults to ``origin``, as C2SP recommends.
    """
    if isinstance(private_key, SigningKey):
        if key_name is not None and key_name != private_key.name:
            raise KeyFormatError(f"the signing key is named {private_key.name!r}, not {key_name!r}")
        key = private_key
    elif isinstance(private_key, Ed25519PrivateKey):
        key = SigningKey(origin if key_name is None else key_name, private_key)
    else:
        raise KeyFormatError(f"not an Ed25519 signing key: {type(private_key).__name__}")
    return sign_note(format_checkpoint(origin, size, root, extensions), key)


def _parse_body(text: str) -> tuple[str, int, bytes, tuple[str, ...]]:
    if not text.endswith("\n"):
        raise MalformedCheckpointError("checkpoint text does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpointError(
            f"checkpoint has {len(lines)} line(s); it needs origin, size and root hash"
        )
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise MalformedCheckpointError("checkpoint origin (line 1) is empty")
    if not _TREE_SIZE.fullmatch(size_text) or int(size_text) >= 2**64:
        raise MalformedCheckpointError(
            f"checkpoint tree size (line 2) {size_text!r} is not a decimal uint64 "
            "without leading zeros"
        )
    root = _b64decode(root_text, "checkpoint root hash (line 3)", MalformedCheckpointError)
    if len(root) != HASH_SIZE:
        raise MalformedCheckpointError(
            f"checkpoint root hash (line 3) has {len(root)} bytes, not {HASH_SIZE}"
        )
    for number, line in enumerate(extensions, start=4):
        if not line:
            raise MalformedCheckpointError(f"checkpoint extension line {number} is empty")
    return origin, int(size_text), root, tuple(extensions)


def parse_checkpoint(text: str | bytes) -> Checkpoint:
    """Read a signed checkpoint WITHOUT verifying it (for display, or to find which
    key to ask for). Use ``verify_checkpoint`` before trusting anything in it."""
    body, signatures = parse_note(text)
    origin, size, root, extensions = _parse_body(body)
    return Checkpoint(origin, size, root, extensions, tuple(signatures))


def verify_checkpoint(
    text: str | bytes, vkey: str | VerifierKey, *, origin: str | None = None
) -> Checkpoint:
    """The checkpoint in ``text``, once its signature by ``vkey`` has verified.

    Only the given verifier key is trusted, never one named in the note. With
    ``origin``, the checkpoint must also be for that log. Raises a
    ``CheckpointError`` subclass saying what is wrong.
    """
    body, signatures = _open(text, _verifier(vkey))
    found_origin, size, root, extensions = _parse_body(body)
    if origin is not None and found_origin != origin:
        raise OriginMismatchError(f"checkpoint is for the log {found_origin!r}, not {origin!r}")
    return Checkpoint(found_origin, size, root, extensions, tuple(signatures))


def extends(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> bool:
    """Whether ``new`` is the same log as ``old`` grown by appending only, as proved
    by the RFC 9162 consistency ``proof`` from ``old.size`` to ``new.size``."""
    return old.origin == new.origin and verify_consistency(
        old.size, new.size, old.root, new.root, proof
    )
