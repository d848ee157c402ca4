"""Attachments: type by content, size limit, generated names outside the web root, served only to those
who may see the case and only as downloads; a refused file leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Action, Attachment
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def as_(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def post(client: Client, case, files, action_type="evidence_exchanged"):
    return client.post(
        f"/cases/{case.public_id}/actions/",
        {"action_type": action_type, "note": "证据目录", "version": case.version, "files": files},
        follow=True,
    )


def test_a_pdf_and_a_docx_are_stored_under_generated_names_and_chained(world, media):
    case = world.case()
    post(as_(world.judge), case, [SimpleUploadedFile("证据目录.pdf", PDF), SimpleUploadedFile("质证意见.docx", docx())])
    action = Action.objects.get(case=case, action_type="evidence_exchanged")
    files = list(action.attachments.order_by("pk"))
    assert [(f.original_name, f.content_type) for f in files] == [
        ("证据目录.pdf", "application/pdf"),
        ("质证意见.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    assert action.payload["files"][0] == {
        "name": "证据目录.pdf",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "size": len(PDF),
        "type": "application/pdf",
    }
    stored = Path(media) / files[0].stored_name
    assert stored.read_bytes() == PDF and "证据目录" not in str(stored) and not str(stored).endswith(".pdf")


def test_download_only_for_those_who_see_the_case_and_never_inline(world):
    case = world.case()
    post(as_(world.judge), case, [SimpleUploadedFile("a.pdf", PDF)])
    attachment = Attachment.objects.get()
    url = f"/cases/{case.public_id}/attachments/{attachment.public_id}/"
    response = as_(world.clerk).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert as_(world.other_judge).get(url).status_code == 404
    assert (
        as_(world.judge).get(f"/cases/{case.public_id}/attachments/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("判决书.pdf", b"<html><script>alert(1)</script></html>"),  # HTML called .pdf
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("archive.zip", b"PK\x03\x04not really"),
    ],
)
def test_a_forbidden_type_is_refused_and_nothing_is_stored(world, media, name, content):
    case = world.case()
    before = case.actions.count()
    response = post(as_(world.judge), case, [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile(name, content)])
    assert f"{name} 不是允许的文件类型" in response.content.decode()
    assert case.actions.count() == before
    assert not Attachment.objects.exists()
    assert not any(Path(media).rglob("*")) if Path(media).exists() else True


def test_a_file_over_the_limit_is_refused(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    case = world.case()
    response = post(as_(world.judge), case, [SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)])
    html = response.content.decode()
    assert "big.pdf 超过" in html and "的大小限制" in html
    assert not Attachment.objects.exists()


def test_upload_through_the_api(world):
    case = world.case()
    response = client_for(world.judge).post(
        f"/api/cases/{case.public_id}/actions/",
        {"action_type": "ruling_drafted", "note": "判决书草稿", "files": [SimpleUploadedFile("草稿.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 201
    body = response.json()
    assert [(a["original_name"], a["size"]) for a in body["attachments"]] == [("草稿.pdf", len(PDF))]
    assert body["attachments"][0]["url"].startswith(f"/cases/{case.public_id}/attachments/")
    refused = client_for(world.judge).post(
        f"/api/cases/{case.public_id}/actions/",
        {"action_type": "note", "files": [SimpleUploadedFile("x.html", b"<html></html>")]},
        format="multipart",
    )
    assert (refused.status_code, list(refused.json()["details"])) == (400, ["files"])
