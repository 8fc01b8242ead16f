"""Photos, stored content-addressed under the data dir: <data>/photos/ab/<sha256>.

Orders carry only the SHA-256; the bytes live here, written once. Only images are
taken (JPEG, PNG, WebP, HEIC, recognised by their first bytes, not by what the client
says), up to the county's photo_max_bytes policy value.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from domain.errors import InvalidInput, NotFound

HEX64 = re.compile(r"[0-9a-f]{64}")

SIGNATURES: list[tuple[str, bytes, int]] = [
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/webp", b"WEBP", 8),
    ("image/heic", b"ftypheic", 4),
    ("image/heic", b"ftypheix", 4),
    ("image/heic", b"ftypmif1", 4),
]
PHOTO_MEDIA_TYPES = tuple(dict.fromkeys(media for media, _, _ in SIGNATURES))


def sniff(data: bytes) -> str | None:
    for media_type, magic, offset in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if media_type == "image/webp" and data[:4] != b"RIFF":
                continue
            return media_type
    return None


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where a photo lives; only a SHA-256 in lower-case hex names one (anything else,
        such as '../..', would name a file outside the store)."""
        if not HEX64.fullmatch(sha256):
            raise NotFound("unknown_photo", "照片不存在", "no such photo")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return bool(HEX64.fullmatch(sha256)) and self.path(sha256).is_file()

    def put(self, data: bytes, max_bytes: int) -> tuple[str, str]:
        """Store the bytes; return (sha256, media type). Refuses non-images and big files."""
        if not data:
            raise InvalidInput("empty_photo", "照片内容为空", "the photo is empty")
        if len(data) > max_bytes:
            raise InvalidInput(
                "photo_too_large",
                f"照片不能超过 {max_bytes // (1024 * 1024)} MB",
                f"photos are at most {max_bytes} bytes",
            )
        media_type = sniff(data)
        if media_type is None:
            raise InvalidInput(
                "not_an_image", "只能上传 JPEG、PNG、WebP 或 HEIC 照片", "not an image"
            )
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, staging = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(staging, target)  # the same bytes under the same name: no race
        return digest, media_type

    def get(self, sha256: str) -> tuple[bytes, str]:
        path = self.path(sha256)
        if not path.is_file():
            raise NotFound("unknown_photo", "照片不存在", "no such photo")
        data = path.read_bytes()
        return data, sniff(data) or "application/octet-stream"
