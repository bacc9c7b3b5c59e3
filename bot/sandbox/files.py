"""Files the sandbox knows: uploads from the bot and media sent by simulated users.

Telegram hands out a ``file_id`` for every file, lets a bot send it again by that id, and serves
its bytes at ``/file/bot<token>/<file_path>`` after ``getFile``. The store keeps the bytes in
memory so a test can check that what the bot uploaded is what it can download.
"""

from __future__ import annotations

import mimetypes
import struct
import zlib
from dataclasses import dataclass, field

#: Telegram's ``getFile`` limit for bots on the cloud Bot API.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
}
_FOLDER = {
    "photo": "photos",
    "document": "documents",
    "sticker": "stickers",
    "video": "videos",
    "audio": "music",
}
_DEFAULT_EXT = {"photo": "jpg", "sticker": "webp", "video": "mp4", "audio": "mp3"}


@dataclass
class StoredFile:
    """One file: its ids, bytes and what Telegram reports about it."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Size in bytes, Telegram's ``file_size``."""
        return len(self.data)

    def as_file(self) -> dict[str, object]:
        """The Bot API ``File`` object ``getFile`` returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def photo_sizes(self) -> list[dict[str, object]]:
        """The ``photo`` array of a message: a thumbnail and the full size, like Telegram."""
        full = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width,
            "height": self.height,
        }
        scale = min(1.0, 90 / max(self.width, self.height, 1))
        if scale >= 1.0:
            return [full]
        thumb = {
            "file_id": self.file_id + "-s",
            "file_unique_id": self.file_unique_id + "-s",
            "file_size": self.size,
            "width": max(1, round(self.width * scale)),
            "height": max(1, round(self.height * scale)),
        }
        return [thumb, full]

    def as_document(self) -> dict[str, object]:
        """The Bot API ``Document`` object."""
        doc: dict[str, object] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = self.size
        return doc


class FileStore:
    """All files by ``file_id`` and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store new bytes and give them fresh ids and a download path."""
        self._counter += 1
        n = self._counter
        ext = _extension(file_name) or _sniff_extension(data) or _DEFAULT_EXT.get(kind, "bin")
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        if kind == "document" and mime_type is None:
            mime_type = "application/octet-stream"
        width, height = image_size(data) if kind in ("photo", "sticker") else (0, 0)
        if kind in ("photo", "sticker") and not width:
            width, height = (512, 512) if kind == "sticker" else (800, 600)
        stored = StoredFile(
            file_id=f"{_PREFIX.get(kind, 'BQACAgIAAxkBAAI')}{n:05d}SbX",
            file_unique_id=f"AQAD{n:05d}",
            kind=kind,
            data=data,
            file_path=f"{_FOLDER.get(kind, 'documents')}/file_{n}.{ext}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        self._by_id[stored.file_id + "-s"] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this ``file_id`` (a thumbnail id gives its photo)."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file served at this ``file_path``."""
        return self._by_path.get(file_path)


def _extension(file_name: str | None) -> str | None:
    if file_name and "." in file_name:
        ext = file_name.rsplit(".", 1)[1].lower()
        if ext.isalnum() and len(ext) <= 5:
            return ext
    return None


def _sniff_extension(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[:4] == b"GIF8":
        return "gif"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG from its header; ``(0, 0)`` if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return 0, 0


def placeholder_png(
    width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (70, 130, 180)
) -> bytes:
    """A small valid PNG of one colour: the picture a simulated user "takes"."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
