"""Uploads: size limit, type decided by content (magic bytes) from an allow-list, generated names,
stored under MEDIA_ROOT (outside the web root, never served by the web server)."""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
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
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


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
        if content_type is None:
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
