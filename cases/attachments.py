"""Uploads: size limit, type decided by content (magic bytes) from an allow-list, and the file name's extension
must name that same type (a ``.html`` starting with ``%PDF-`` is refused); generated names, stored under
MEDIA_ROOT (outside the web root, never served by the web server). Office files are zip archives: their central
directory's entry count and sizes are read from its end record (a few bytes) and bounded before the archive is
opened, so a file of a hundred thousand entries or a zip bomb costs nothing. Downloads go through
:func:`download_response`: always an attachment, ``nosniff``, and named with the extension of the type the
content was recognised as, whatever the uploader called it."""

from __future__ import annotations

import hashlib
import struct
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.errors import ValidationFailed

#: What may be attached, recognised by content, whatever the file is called.
ALLOWED = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
}
#: The file name extensions each allowed type may carry (the first is the one a download is named with).
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
#: Office files: at most this many zip entries (a real .docx has tens), and this many bytes once uncompressed.
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_UNCOMPRESSED = 200 * 2**20
_EOCD = b"PK\x05\x06"  # the zip's end-of-central-directory record: 22 bytes and a comment of up to 65,535


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def sniff(upload: UploadedFile) -> str | None:
    """The allowed type of a file by its first bytes (and, for Office files, the zip's parts), or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        if not _zip_directory_is_small(upload):
            return None
        try:
            with zipfile.ZipFile(upload) as archive:
                infos = archive.infolist()
                names = {info.filename for info in infos}
                if sum(info.file_size for info in infos) > ZIP_MAX_UNCOMPRESSED:
                    return None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _zip_directory_is_small(upload: UploadedFile) -> bool:
    """Whether the zip's end record declares at most ``ZIP_MAX_ENTRIES`` entries in a central directory of a
    plausible size, read from the file's last 64 KiB without parsing any entry. Zip64 archives (more than 65,535
    entries or 4 GiB) are refused outright: no Office document we accept needs them."""
    size = upload.size or 0
    tail_length = min(size, 22 + 65_535)
    upload.seek(size - tail_length)
    tail = upload.read(tail_length)
    upload.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return False
    _disk, _start_disk, on_disk, total, directory_size, _offset, _comment = struct.unpack(
        "<HHHHIIH", tail[at + 4 : at + 22]
    )
    if 0xFFFF in (on_disk, total) or directory_size == 0xFFFFFFFF:
        return False
    return total == on_disk and total <= ZIP_MAX_ENTRIES and directory_size <= min(size, total * (46 + 3 * 65_535))


def extension_of(name: str) -> str:
    return Path(name).suffix.lower()


def check_uploads(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """Validate every file before anything is written; one clear message per refused file."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationFailed(
            _("At most %(n)s files at a time.") % {"n": settings.ATTACHMENT_MAX_FILES},
            details={"files": [_("Too many files.")]},
        )
    checked, problems = [], []
    for upload in uploads:
        name = Path(upload.name or "file").name[:255]
        if upload.size > limit:
            problems.append(
                _("%(name)s is larger than the %(limit)s limit.") % {"name": name, "limit": filesizeformat(limit)}
            )
            continue
        content_type = sniff(upload)
        if content_type is None or extension_of(name) not in EXTENSIONS[content_type]:
            allowed = "、".join(ALLOWED.values())
            problems.append(_("%(name)s is not an allowed type (%(allowed)s).") % {"name": name, "allowed": allowed})
            continue
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedFile(upload, name, content_type, upload.size, digest.hexdigest()))
    if problems:
        raise ValidationFailed(problems[0], details={"files": problems})
    return checked


def store(checked: CheckedFile) -> str:
    """Write one checked file under a generated name; returns the name (relative to MEDIA_ROOT)."""
    relative = f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:
        for chunk in checked.upload.chunks():
            handle.write(chunk)
    return relative


def path_of(stored_name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / stored_name


@contextmanager
def storing() -> Iterator[list[str]]:
    """Collects the names of files stored inside the block; if the block fails, removes them (no file is
    left behind by a write that did not happen)."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for stored in written:
            path_of(stored).unlink(missing_ok=True)
        raise


def download_name(original_name: str, content_type: str) -> str:
    """The name a download is offered under: the uploader's name with the extension of the type its content was
    recognised as (a record stored as ``x.html`` before names were checked is offered as ``x.pdf``)."""
    extensions = EXTENSIONS.get(content_type, (".bin",))
    name = Path(original_name or "file").name
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix else name
    return (stem or "file") + (extension_of(name) if extension_of(name) in extensions else extensions[0])


def download_response(stored_name: str, original_name: str, content_type: str) -> FileResponse:
    """A stored file as a download: never rendered (attachment, ``nosniff``), never cached, named safely."""
    path = path_of(stored_name)
    if not path.is_file():
        raise Http404
    safe_type = content_type if content_type in ALLOWED else "application/octet-stream"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=download_name(original_name, safe_type))
    response["Content-Type"] = safe_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
