"""A refused act in the browser, page by page: one handler (``DomainErrorMiddleware``) shows it. A form posted
without htmx comes back to its page with the service's message; the case page's htmx forms re-render the case
work in place with the message, the power-list item and each field's problem; long forms and read-only pages
that declared it show the refusal in place. No view catches a ``DomainError`` itself."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accountability import errors
from accountability.powers import power_decide
from cases.extensions import case_decide_extension, extension_request
from cases.models import Action, Case
from evaluation.models import MetricRun, Review
from interference.models import InterferenceRecord, InterferenceReport
from supervision import services as supervision
from supervision.models import Flag, Situation

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def as_(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def shown(response) -> list[str]:
    """The messages on the page the browser ends on."""
    return [str(m) for m in response.context["messages"]]


def refusal(officer, action_type: str, case: Case) -> str:
    """What the power list says, in Chinese, when it refuses this officer this act on this case."""
    with translation.override("zh-hans"):
        decision = power_decide(officer=officer, action_type=action_type, case=case)
        assert not decision.allowed
        return str(decision.reason)


# --- one handler -----------------------------------------------------------------------------------------


def test_no_view_catches_a_domain_error():
    """Only the middleware catches a refusal; a view may still turn a ``NotFound`` into an audited 404."""
    refusals = {name for name, value in vars(errors).items() if isinstance(value, type)}
    refusals = {n for n in refusals if issubclass(getattr(errors, n), errors.DomainError)} - {"NotFound"}
    caught = []
    for path in sorted(ROOT.glob("*/views.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)}
                if names & refusals:
                    caught.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert refusals >= {"DomainError", "ValidationFailed", "PowerDenied", "Conflict"}
    assert len(list(ROOT.glob("*/views.py"))) >= 7
    assert caught == []


# --- the case page: htmx in place, otherwise back to the page with the message ------------------------------


def test_an_htmx_refusal_by_the_power_list_re_renders_the_case_work_with_the_item(world):
    case = world.case()
    response = as_(world.assistant).post(
        reverse("cases:log", args=[case.public_id]),
        {"action_type": "ruling_signed", "note": "已签", "version": case.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="case-work" class="case-grid">')
    message = refusal(world.assistant, "ruling_signed", case)
    assert f'<div class="error" role="alert">{message}</div>' in html  # the item named once, in the message
    assert "AST-N1" in message and html.count("AST-N1") == 1
    assert not Action.objects.filter(case=case, action_type="ruling_signed").exists()


def test_an_htmx_refusal_marks_the_refused_field(world):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        case = world.case(filed_on=dt.date(2026, 1, 5))
        response = as_(world.judge).post(
            reverse("cases:log", args=[case.public_id]),
            {"action_type": "note", "note": "预先记录", "occurred_at": "2026-03-09T10:00", "version": case.version},
            HTTP_HX_REQUEST="true",
        )
    html = response.content.decode()
    assert html.startswith('<div id="case-work" class="case-grid">')
    assert '<div class="error" role="alert">不能记录未来时间的操作。</div>' in html
    assert (
        '<input type="datetime-local" name="occurred_at" value="2026-03-09T10:00" aria-invalid="true" '
        'aria-describedby="id_occurred_at_error" id="id_occurred_at"><div class="field-error">不能记录未来时间的操作。</div>'
    ) in html
    assert '<textarea name="note" cols="40" rows="3" maxlength="10000" id="id_note">\n预先记录</textarea>' in html
    assert not Action.objects.filter(case=case, note="预先记录").exists()


def test_a_stale_version_on_the_case_page_says_so(world):
    case = world.case()
    stale = case.version
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    case_decide_extension(actor=world.president, request=request, approve=True)  # the limit moves: version + 1
    url = reverse("cases:log", args=[case.public_id])
    data = {"action_type": "note", "note": "迟到的记录", "version": stale}
    in_place = as_(world.judge).post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert in_place.startswith('<div id="case-work" class="case-grid">')
    assert '<div class="error" role="alert">本案在您打开后已被他人修改，请刷新后重试。</div>' in in_place
    page = as_(world.judge).post(url, data, follow=True)
    assert page.redirect_chain[-1][0] == f"/cases/{case.public_id}/"
    assert shown(page) == ["本案在您打开后已被他人修改，请刷新后重试。"]
    assert not Action.objects.filter(case=case, note="迟到的记录").exists()


def test_a_refused_action_posted_without_htmx_comes_back_to_the_case_page(world):
    case = world.case()
    page = as_(world.assistant).post(
        reverse("cases:log", args=[case.public_id]),
        {"action_type": "ruling_signed", "version": case.version},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == f"/cases/{case.public_id}/"
    assert shown(page) == [refusal(world.assistant, "ruling_signed", case)]
    assert "AST-N1" in shown(page)[0]


def test_an_extension_decision_refused_comes_back_to_the_case_page(world):
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    url = reverse("cases:extension-decide", args=[case.public_id])
    data = {"request": request.public_id, "decision": "approve", "days": 30, "version": request.version}
    message = refusal(world.judge, "extension_approved", case)
    page = as_(world.judge).post(url, data, follow=True)
    assert page.redirect_chain[-1][0] == f"/cases/{case.public_id}/" and shown(page) == [message]
    assert Case.objects.get(pk=case.pk).extension_days == 0


def test_a_flag_without_a_reason_is_refused_in_the_alerts_panel_or_after_a_redirect(world):
    case = world.case()
    url = reverse("supervision:flag-raise", args=[case.public_id])
    in_place = as_(world.judge).post(url, {"situation": "M-01", "reason": " "}, HTTP_HX_REQUEST="true")
    html = in_place.content.decode()
    assert html.startswith('<div id="case-work" class="case-grid">')
    assert '<section class="card" id="alerts">\n  <h2>' in html
    assert '<div class="error" role="alert">请说明标识理由。</div>' in html
    page = as_(world.judge).post(url, {"situation": "M-01", "reason": " "}, follow=True)
    assert page.redirect_chain[-1][0] == f"/cases/{case.public_id}/" and shown(page) == ["请说明标识理由。"]
    assert not Flag.objects.exists()


def test_a_dismissal_without_a_reason_is_refused_in_place(world):
    case = world.case()
    flag = supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code="M-01"), reason="社会关注度高"
    )
    url = reverse("supervision:flag-decide", args=[case.public_id, flag.public_id])
    html = as_(world.chief).post(url, {"decision": "dismiss", "reason": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith('<div id="case-work" class="case-grid">') and "请填写撤销理由。" in html
    page = as_(world.chief).post(url, {"decision": "dismiss", "reason": ""}, follow=True)
    assert shown(page) == ["请填写撤销理由。"]
    flag.refresh_from_db()
    assert flag.status == "pending"


# --- supervision acts: back to the page that posted ---------------------------------------------------------


def test_supervision_refusals_come_back_with_the_message(world, today):
    case = world.case()
    flag = supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code="M-02"), reason="争议大"
    )
    supervision.flag_decide(actor=world.president, flag=flag, confirm=True)
    president, judge = as_(world.president), as_(world.judge)
    supervise = reverse("supervision:supervise", args=[case.public_id])
    inbox = reverse("supervision:inbox")
    unknown = president.post(supervise, {"act": "praise", "next": inbox}, follow=True)
    assert unknown.redirect_chain == [(inbox, 302)] and shown(unknown) == ["请选择操作。"]
    empty = president.post(supervise, {"act": "comment", "comment": ""}, follow=True)
    assert empty.redirect_chain[-1][0] == f"/cases/{case.public_id}/" and shown(empty) == ["请填写监督意见。"]
    task = supervision.task_require(
        actor=world.president,
        case=case,
        kind="progress_report",
        instructions="报告合议情况",
        due_on=today + dt.timedelta(days=7),
    )
    report = judge.post(
        reverse("supervision:task-report", args=[case.public_id, task.public_id]),
        {"report": " ", "version": task.version},
        follow=True,
    )
    assert shown(report) == ["请填写报告。"]
    referral = supervision.referral_create(
        actor=world.president, case=case, body="adjudication_committee", reason="法律适用分歧"
    )
    outcome = president.post(
        reverse("supervision:referral-outcome", args=[case.public_id, referral.public_id]),
        {"outcome": "", "version": referral.version},
        follow=True,
    )
    assert outcome.redirect_chain[-1][0] == f"/cases/{case.public_id}/" and shown(outcome) == ["请填写讨论意见。"]
    task.refresh_from_db()
    referral.refresh_from_db()
    assert (task.status, referral.outcome) == ("open", "")


# --- interference: reports come back with the message; the record form keeps what was typed -----------------


def test_a_report_for_a_quarter_not_yet_ended_comes_back_with_the_message(world):
    url = reverse("interference:reports")
    with time_machine.travel(dt.datetime(2026, 10, 8, 3, tzinfo=dt.UTC), tick=False):
        chief = as_(world.chief)
        early = chief.post(
            f"{url}?year=2026&quarter=4", {"department": world.civil.pk, "year": 2026, "quarter": 4}, follow=True
        )
        assert early.redirect_chain == [(f"{url}?year=2026&quarter=4", 302)]
        assert shown(early) == ["季度结束后方可报送。"]
        blank = chief.post(url, {"department": world.civil.pk, "year": "", "quarter": "3"}, follow=True)
        assert blank.redirect_chain == [(url, 302)] and shown(blank) == ["请选择年度和季度。"]
    assert not InterferenceReport.objects.exists()


def test_a_record_about_another_courts_case_reads_as_no_such_case_and_keeps_what_was_typed(world):
    foreign = world.case(organisation=world.other_court)
    response = as_(world.judge).post(
        reverse("interference:new"),
        {
            "case_number": foreign.case_number,
            "source_kind": "party",
            "person_name": "张某",
            "channel": "phone",
            "occurred_at": "2026-11-01T10:00",
            "content": "询问进度",
            "handling": "告知依法处理",
        },
    )
    assert response.status_code == 400
    assert response.context["errors"] == {"case_number": ["没有您可记录的该案号案件。"]}
    assert 'value="张某"' in response.content.decode()
    assert not InterferenceRecord.objects.exists()


# --- evaluation: back to the page with the message ---------------------------------------------------------


def test_review_refusals_come_back_with_the_message(world):
    case = world.case(closed_on=dt.date(2024, 6, 1), closing_method="judgment")
    review = Review.objects.create(case=case, officer=world.judge, reason="当事人投诉")
    url = reverse("evaluation:review", args=[review.public_id])
    filing = as_(world.filing)
    stale = filing.post(url, {"step": "assign", "evaluator": "evaluator", "version": review.version + 1}, follow=True)
    assert stale.redirect_chain == [(url, 302)]
    assert shown(stale) == ["该评查在您打开后已被他人修改，请刷新后重试。"]
    assert shown(filing.post(url, {"step": "praise"}, follow=True)) == ["未知操作。"]
    review.refresh_from_db()
    assert (review.status, review.evaluator) == ("pending", None)


def test_a_recompute_the_power_list_refuses_comes_back_with_the_message(world, monkeypatch):
    """The form offers only what the list allows; between the page and the post the list may change."""
    from accountability.models import Organisation

    monkeypatch.setattr("evaluation.views.organisations_recomputable_by", lambda user: Organisation.objects.all())
    with translation.override("zh-hans"):
        expected = str(
            power_decide(
                officer=world.president, action_type="metrics_recomputed", organisation=world.other_court
            ).reason
        )
    response = as_(world.president).post(
        reverse("evaluation:recompute"),
        {"organisation": world.other_court.pk, "start": "2024-01-01", "end": "2024-12-31"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("evaluation:recompute"), 302)] and shown(response) == [expected]
    assert not MetricRun.objects.exists()
