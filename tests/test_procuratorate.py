"""A procuratorate's procedures (issue 18): 审查起诉 with at most two returns for supplementary investigation and the
clock restarting, the matters the authorisation table reserves to the procurator-general decided in writing and put
on file, the prosecutor's own decisions, and who cannot decide."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone

from accountability.choices import OrganisationKind, OrganisationLevel, Post
from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import Officer, Organisation, PowerItem, PowerItemRevision
from cases.audit import verify_chains
from cases.extensions import approver_words
from cases.filing import case_file_new
from cases.models import Action, Case, CaseRequest, FlowNode, ProcedureRule
from cases.requests import requests_to_decide
from cases.services import case_assign, case_close, case_log_action
from discipline import services as discipline
from evaluation.metrics import Window
from evaluation.models import DefectItem
from evaluation.selectors import defect_catalogue_for
from evaluation.services import metrics_store
from procuratorate import services
from procuratorate.models import ChiefMatter
from tests.conftest import ensure_reference_data
from tests.factories import DepartmentFactory, OrganisationFactory, make_leader, make_officer
from tests.test_visible_text import visible_text

pytestmark = pytest.mark.django_db


@dataclass
class Proc:
    province: Organisation
    city: Organisation
    district: Organisation
    prosecutor: Officer
    prosecutor2: Officer
    assistant: Officer
    head: Officer
    general: Officer
    deputy: Officer
    intake: Officer
    court_president: Officer

    def case(self, *, procedure: str = "prosecution", track: str = "ordinary", case_type: str = "criminal") -> Case:
        case = case_file_new(
            actor=self.intake,
            organisation=self.district,
            department=self.prosecutor.department,
            case_type=case_type,
            procedure=procedure,
            track=track,
            cause="盗窃罪",
            parties="张某",
            filed_on=timezone.localdate() - dt.timedelta(days=20),
        )
        case_assign(actor=self.head, case=case, lead_officer=self.prosecutor, assistants=[self.assistant])
        if procedure == "prosecution":  # 告知犯罪嫌疑人有权委托辩护人, a required node
            case_log_action(actor=self.prosecutor, case=case, action_type="served", note="告知诉讼权利")
        return Case.objects.select_related("organisation").get(pk=case.pk)


@pytest.fixture
def proc(db) -> Proc:
    ensure_reference_data()
    kind = OrganisationKind.PROCURATORATE
    province = OrganisationFactory(
        code="SHJ", name="上海市人民检察院", kind=kind, level=OrganisationLevel.HIGH, case_code="沪检"
    )
    city = OrganisationFactory(
        code="SHJ2",
        name="上海市第二分院",
        kind=kind,
        level=OrganisationLevel.INTERMEDIATE,
        parent=province,
        case_code="沪检二分",
    )
    district = OrganisationFactory(
        code="SHJ0101", name="上海市黄浦区人民检察院", kind=kind, parent=city, case_code="沪黄检"
    )
    court = OrganisationFactory(code="SH0101X", name="上海市黄浦区人民法院", case_code="沪0199")
    dept = DepartmentFactory(organisation=district, code="XJ1", name="第一检察部")
    o, leader = make_officer, make_leader
    return Proc(
        province=province,
        city=city,
        district=district,
        prosecutor=o(
            "pro1", roles=["prosecutor"], organisation=district, department=dept, is_quota=True, name="周检察官"
        ),
        prosecutor2=o(
            "pro2", roles=["prosecutor"], organisation=district, department=dept, is_quota=True, name="吴检察官"
        ),
        assistant=o("proast", roles=["assistant"], organisation=district, department=dept, name="郑助理"),
        head=leader(
            "prohead",
            Post.DIVISION_CHIEF,
            roles=["prosecutor", "division_chief"],
            organisation=district,
            department=dept,
            name="冯军",
        ),
        general=leader("progen", Post.PRESIDENT, roles=["president", "prosecutor"], organisation=district, name="陈明"),
        deputy=leader(
            "prodep", Post.VICE_PRESIDENT, roles=["vice_president", "prosecutor"], organisation=district, name="褚亮"
        ),
        intake=o("prointake", roles=["case_management"], organisation=district, name="卫案管"),
        court_president=leader(
            "courtpres", Post.PRESIDENT, roles=["president", "judge"], organisation=court, name="蒋华"
        ),
    )


def types(case: Case) -> list[str]:
    return list(Action.objects.filter(case=case).order_by("seq").values_list("action_type", flat=True))


def test_the_procedures_carry_their_statutory_limits_and_nodes(proc):
    rule = ProcedureRule.objects.get(case_type="criminal", procedure="prosecution", track="ordinary")
    assert (rule.type_code, rule.limit_value, rule.limit_unit, rule.extension_value, rule.extension_unit) == (
        "刑诉受",
        1,
        "months",
        15,
        "days",
    )
    assert "第一百七十二条" in rule.legal_basis and "第一百七十五条" in rule.legal_basis
    detained = ProcedureRule.objects.get(case_type="criminal", procedure="arrest_review", track="detained")
    assert (detained.limit_value, detained.limit_unit) == (7, "days") and "第九十一条" in detained.legal_basis
    for case_type, procedure in [
        ("criminal", "protest"),
        ("civil", "supervision"),
        ("administrative", "supervision"),
        ("public_interest", "pil_pre_suit"),
        ("public_interest", "pil_suit"),
    ]:
        assert FlowNode.objects.filter(case_type=case_type, procedure=procedure, code="closed").exists()
    case = proc.case()
    assert "刑诉受" in case.case_number and case.case_number.startswith(f"（{case.filed_on.year}）沪黄检")
    assert 28 <= case.time_limit_days <= 31  # one calendar month from filing


def test_two_returns_restart_the_clock_and_a_third_is_refused_naming_the_item(proc):
    case = proc.case()
    today = timezone.localdate()
    assert case.time_limit_clock(today)["used"] == 20
    services.supplementary_return(actor=proc.prosecutor, case=case, reason="补充调取监控录像")
    with pytest.raises(PowerDenied) as again:  # still out for investigation
        services.supplementary_return(actor=proc.prosecutor, case=case, reason="再退")
    assert again.value.details["item_code"] == "PRO-RN2"
    services.investigation_resubmit(actor=proc.prosecutor, case=case, resubmitted_on=today)
    case.refresh_from_db()
    assert case.time_limit_clock(today)["used"] == 0  # the review period counts afresh
    services.supplementary_return(actor=proc.prosecutor, case=case, reason="补充鉴定意见")
    services.investigation_resubmit(actor=proc.prosecutor, case=case, resubmitted_on=today)
    before = Case.objects.get(pk=case.pk).trace_length
    with pytest.raises(PowerDenied) as third:
        services.supplementary_return(actor=proc.prosecutor, case=case, reason="第三次")
    assert third.value.details["item_code"] == "PRO-RN1"
    assert "PRO-RN1" in third.value.message and "二次为限" in third.value.message
    assert Case.objects.get(pk=case.pk).trace_length == before
    returned = Action.objects.filter(case=case, action_type="returned_for_supplementary_investigation")
    assert [a.payload["return_number"] for a in returned.order_by("seq")] == [1, 2]
    assert services.supplementary_returns(case) == 2
    with pytest.raises(Conflict):  # not out any more
        services.investigation_resubmit(actor=proc.prosecutor, case=case, resubmitted_on=today)


def test_an_empty_outline_a_return_of_another_procedure_and_by_the_assistant_are_refused(proc):
    case = proc.case()
    with pytest.raises(ValidationFailed) as empty:
        services.supplementary_return(actor=proc.prosecutor, case=case, reason="  ")
    assert "reason" in empty.value.details
    with pytest.raises(PowerDenied) as assistant:
        services.supplementary_return(actor=proc.assistant, case=case, reason="补充侦查")
    assert assistant.value.details["item_code"] == "AST-PN5"
    arrest = proc.case(procedure="arrest_review", track="detained")
    with pytest.raises(PowerDenied) as other:
        services.supplementary_return(actor=proc.prosecutor, case=arrest, reason="补充侦查")
    assert other.value.details["item_code"] == "PRO-RN3"


def test_non_prosecution_is_the_chiefs_written_decision_on_file_then_the_case_closes(proc):
    case = proc.case()
    today = timezone.localdate()
    with pytest.raises(ValidationFailed):  # 存疑不起诉 only after a return
        services.chief_decision_request(actor=proc.prosecutor, case=case, matter="np_doubt", reason="证据不足")
    services.supplementary_return(actor=proc.prosecutor, case=case, reason="补充证据")
    services.investigation_resubmit(actor=proc.prosecutor, case=case, resubmitted_on=today)
    with pytest.raises(PowerDenied) as alone:  # the prosecutor cannot close by non-prosecution alone
        case_close(actor=proc.prosecutor, case=case, closed_on=today, closing_method="np_doubt")
    assert alone.value.details["item_code"] == "PRO-PN1"
    assert "检察长" in alone.value.message
    request = services.chief_decision_request(
        actor=proc.prosecutor, case=case, matter="np_doubt", reason="经补充侦查仍证据不足，拟作存疑不起诉"
    )
    with pytest.raises(Conflict):
        services.chief_decision_request(actor=proc.prosecutor, case=case, matter="np_doubt", reason="再报")
    assert list(requests_to_decide(proc.general)) == [request]
    assert list(requests_to_decide(proc.deputy)) == [request]
    assert list(requests_to_decide(proc.head)) == [] and list(requests_to_decide(proc.prosecutor2)) == []
    with pytest.raises(PowerDenied):  # a department head does not decide the chief's matters
        services.chief_decision_decide(actor=proc.head, request=request, approve=True, note="同意")
    with pytest.raises(ValidationFailed) as unwritten:
        services.chief_decision_decide(actor=proc.general, request=request, approve=True, note=" ")
    assert "note" in unwritten.value.details
    services.chief_decision_decide(
        actor=proc.general, request=request, approve=True, note="同意对张某作存疑不起诉。检察长 陈"
    )
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == proc.general
    decision = Action.objects.get(case=case, action_type="non_prosecution_decided")
    assert decision.actor == proc.general and decision.power_item_code == "PGN-01"
    assert decision.payload["written_decision"].startswith("同意") and decision.payload["filed"] is True
    assert decision.note == "同意对张某作存疑不起诉。检察长 陈"
    assert ChiefMatter.objects.get(request=request).decision_seq == decision.seq
    with pytest.raises(Conflict):
        services.chief_decision_decide(actor=proc.general, request=request, approve=True, note="再次")
    with pytest.raises(PowerDenied):  # the decision is for 存疑不起诉, not for 酌定不起诉
        case_close(actor=proc.prosecutor, case=case, closed_on=today, closing_method="np_discretionary")
    case_close(actor=proc.prosecutor, case=Case.objects.get(pk=case.pk), closed_on=today, closing_method="np_doubt")
    case.refresh_from_db()
    assert case.closing_method == "np_doubt" and not case.is_open
    assert types(case)[-3:] == ["chief_decision_requested", "non_prosecution_decided", "closed"]
    assert verify_chains(case_number=case.case_number) == []


def test_a_declined_matter_is_written_too_and_the_case_cannot_close_by_it(proc):
    case = proc.case()
    request = services.chief_decision_request(
        actor=proc.prosecutor, case=case, matter="np_discretionary", reason="情节轻微"
    )
    services.chief_decision_decide(actor=proc.deputy, request=request, approve=False, note="不同意，应当提起公诉")
    refused = Action.objects.get(case=case, action_type="chief_decision_refused")
    assert refused.power_item_code == "DPG-09" and refused.payload["approved"] is False
    with pytest.raises(PowerDenied):
        case_close(actor=proc.prosecutor, case=case, closed_on=timezone.localdate(), closing_method="np_discretionary")


def test_the_prosecutor_decides_prosecution_alone_with_the_item_on_file(proc):
    case = proc.case()
    with pytest.raises(ValidationFailed):  # a court's closing method does not close a procuratorate's case
        case_close(actor=proc.prosecutor, case=case, closed_on=timezone.localdate(), closing_method="judgment")
    case_close(actor=proc.prosecutor, case=case, closed_on=timezone.localdate(), closing_method="prosecuted")
    decided = Action.objects.get(case=case, action_type="prosecution_decided")
    assert decided.actor == proc.prosecutor and decided.power_item_code == "PRO-P03"
    assert verify_chains(case_number=case.case_number) == []


def test_arrest_review_the_prosecutor_approves_the_assistant_cannot(proc):
    case = proc.case(procedure="arrest_review", track="detained")
    assert case.time_limit_days == 7
    with pytest.raises(PowerDenied):
        case_close(actor=proc.assistant, case=case, closed_on=timezone.localdate(), closing_method="arrest_approved")
    case_close(actor=proc.prosecutor, case=case, closed_on=timezone.localdate(), closing_method="arrest_approved")
    assert Action.objects.get(case=case, action_type="arrest_approved").power_item_code == "PRO-P01"


def test_the_prosecutors_items_speak_of_a_prosecutors_work_in_a_new_revision(proc):
    items = dict(PowerItem.objects.filter(code__startswith="PRO-").values_list("code", "title"))
    judge_words = ("排期开庭", "主持开庭审理", "签署本人审理案件的裁判文书", "合议", "裁判文书")
    assert not [code for code, title in items.items() if any(w in title for w in judge_words)]
    first = PowerItem.objects.get(code="PRO-01")
    assert first.revision == 2
    assert PowerItemRevision.objects.filter(item=first, revision=2, reason__contains="检察院授权清单").exists()
    assert PowerItem.objects.get(code="PGN-01").legal_basis.startswith("《最高人民检察院关于完善人民检察院司法责任制")


def test_a_court_president_decides_no_procuratorate_matter(proc):
    case = proc.case()
    request = services.chief_decision_request(
        actor=proc.prosecutor, case=case, matter="np_statutory", reason="不构成犯罪"
    )
    assert list(requests_to_decide(proc.court_president)) == []
    with pytest.raises(PowerDenied):
        services.chief_decision_decide(actor=proc.court_president, request=request, approve=True, note="同意")
    assert CaseRequest.objects.get(pk=request.pk).status == "pending"


def test_facts_for_the_indicators_are_recorded_in_the_trace(proc):
    case = proc.case()
    facts = services.prosecution_facts_record(
        actor=proc.assistant, case=case, detained=True, plea_leniency=True, sentencing_recommended=True
    )
    assert facts.detained and facts.plea_leniency and facts.sentencing_adopted is None
    assert Action.objects.get(case=case, action_type="prosecution_facts_recorded").power_item_code == "AST-P01"
    with pytest.raises(ValidationFailed):
        services.prosecution_facts_record(
            actor=proc.prosecutor,
            case=case,
            detained=False,
            plea_leniency=False,
            sentencing_recommended=False,
            sentencing_adopted=True,
        )


# --- the case page, the inbox and the words of a procuratorate -----------------------------------------------------


def browser(officer: Officer) -> DjangoClient:
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(officer.user)
    return client


def page(officer: Officer, url: str) -> str:
    return " ".join(visible_text(browser(officer).get(url, follow=True).content.decode()).split())


def test_the_prosecutor_returns_and_submits_on_the_case_page_and_the_chief_decides_there_in_writing(proc):
    case = proc.case()
    url = f"/cases/{case.public_id}/"
    text = page(proc.prosecutor, url)
    assert "检察办案决定" in text and "已退回补充侦查 0 次（以 2 次为限）" in text
    prosecutor = browser(proc.prosecutor)
    returned = prosecutor.post(
        f"{url}procuratorate/return/", {"reason": "补充调取监控", "version": case.version}, follow=True
    )
    assert "已退回补充侦查（第 1 次，以 2 次为限）。" in returned.content.decode()
    assert "补充侦查中：重新移送后重新计算审查起诉期限。" in page(proc.prosecutor, url)
    prosecutor.post(f"{url}procuratorate/resubmit/", {"resubmitted_on": timezone.localdate().isoformat()})
    assert not services.awaiting_resubmission(case)
    assert 'id="proc-submit-form"' not in browser(proc.assistant).get(url).content.decode()
    prosecutor.post(f"{url}procuratorate/chief/request/", {"matter": "np_doubt", "reason": "仍证据不足，拟存疑不起诉"})
    request = CaseRequest.objects.get(case=case, kind="chief_decision")
    inbox = page(proc.general, "/cases/requests/")
    assert "报请检察长决定事项" in inbox and "仍证据不足，拟存疑不起诉" in inbox
    html = browser(proc.general).get(url).content.decode()
    assert (
        'id="proc-decide-form"' in html and 'id="proc-decide-form"' not in browser(proc.head).get(url).content.decode()
    )
    general = browser(proc.general)
    unwritten = general.post(
        f"{url}procuratorate/chief/decision/",
        {"request": request.public_id, "decision": "approve", "note": ""},
        follow=True,
    )
    assert "检察长决定应当书面作出：请写明决定内容及理由。" in unwritten.content.decode()
    assert CaseRequest.objects.get(pk=request.pk).status == "pending"
    decided = general.post(
        f"{url}procuratorate/chief/decision/",
        {
            "request": request.public_id,
            "decision": "approve",
            "note": "同意存疑不起诉",
            "request_version": request.version,
        },
        follow=True,
    )
    text = " ".join(visible_text(decided.content.decode()).split())
    assert "已书面决定并入卷。" in text and "陈明 已书面决定" in text and "同意存疑不起诉" in text
    closed = prosecutor.post(
        f"{url}close/",
        {
            "closed_on": timezone.localdate().isoformat(),
            "closing_method": "np_doubt",
            "version": Case.objects.get(pk=case.pk).version,
        },
        follow=True,
    )
    assert closed.status_code == 200 and Case.objects.get(pk=case.pk).closing_method == "np_doubt"
    assert verify_chains(case_number=case.case_number) == []


def role_line(officer: Officer) -> str:
    """The home page's line under the officer's name: organisation, department, roles in the words of its kind."""
    text = page(officer, "/")
    line = text[text.index(f"{officer.name} {officer.organisation.name}") :]
    return re.split(r" · 员额| \d", line)[0]


def test_a_procuratorates_officers_are_named_in_its_words_and_a_courts_in_theirs(proc, world):
    assert role_line(proc.general).endswith("· 检察长、检察官")
    assert role_line(proc.deputy).endswith("· 检察官、副检察长")
    assert role_line(proc.head).endswith("· 部门负责人、检察官")
    assert role_line(proc.assistant).endswith("· 检察官助理")
    assert role_line(proc.intake).endswith("· 案件管理部门")
    assert role_line(world.president).endswith("· 法官、院长")
    assert role_line(world.assistant).endswith("· 法官助理")
    assert role_line(world.chief).endswith("· 庭长、法官")
    case = proc.case()
    assert approver_words(case, "president") == "上海市黄浦区人民检察院检察长"
    assert approver_words(world.case(), "president") == "上海市黄浦区人民法院院长"
    court_page = page(world.judge, f"/cases/{world.case().public_id}/")  # no procuratorate panel on a court's case
    assert not [w for w in ("检察办案决定", "退回补充侦查", "报请检察长", "检察长") if w in court_page]


def test_a_procuratorates_dashboard_shows_its_indicators_and_no_court_metric(proc, world):
    today = timezone.localdate()
    case = proc.case()
    case_close(actor=proc.prosecutor, case=case, closed_on=today, closing_method="prosecuted")
    world.case(closed_on=today, closing_method="judgment")
    metrics_store(window=Window(today.replace(day=1), today))
    general = page(proc.general, "/dashboards/")
    assert {"不诉率", "不捕率", "诉前羁押率", "审查起诉期限内办结率", "量刑建议采纳率", "退回补充侦查率"} <= {
        w
        for w in ("不诉率", "不捕率", "诉前羁押率", "审查起诉期限内办结率", "量刑建议采纳率", "退回补充侦查率")
        if w in general
    }
    assert not [
        w for w in ("上诉率", "服判息诉率", "执行到位率", "改判发回", "审限内结案率", "延长审限率") if w in general
    ]
    court = page(world.president, "/dashboards/")
    assert "上诉率" in court
    assert not [w for w in ("不诉率", "不捕率", "诉前羁押率", "认罪认罚", "量刑建议") if w in court]


def test_the_prosecutors_defect_catalogue_applies_to_a_procuratorates_cases_only(proc):
    prosecutors = {item.code for item in defect_catalogue_for("criminal", "procuratorate")}
    courts = {item.code for item in defect_catalogue_for("criminal", "court")}
    assert {"JC-01", "JC-04", "JC-05", "JC-06", "JC-08", "JC-13"} <= prosecutors
    assert not [code for code in courts if code.startswith("JC-")]
    assert "WS-01" in courts and "WS-01" not in prosecutors  # 裁判文书 is a court's
    assert "JC-04" not in {item.code for item in defect_catalogue_for("civil", "procuratorate")}  # 量刑建议: criminal
    assert DefectItem.objects.get(code="JC-08").points == 4
    assert DefectItem.objects.get(code="WS-01").organisation_kinds == ["court"]


def test_a_procuratorate_s_point_thresholds_are_its_own(proc, world):
    """The shipped thresholds are a court's and a procuratorate's own rows: raising the courts' reminder to 15
    points leaves a prosecutor's at 12, so 12 points remind the prosecutor and not the judge."""
    from decimal import Decimal

    from evaluation.models import ConsequenceRecord, PointEntry, PointThreshold, Review
    from evaluation.reviews import points_apply_thresholds

    assert set(PointThreshold.objects.values_list("organisation_kind", "points", "basis", "consequence")) == {
        (kind, Decimal(points), basis, consequence)
        for kind in ("court", "procuratorate")
        for points, basis, consequence in (
            ("12", "year", "reminder"),
            ("24", "year", "training_recall"),
            ("36", "year", "discipline_lead"),
            ("30", "case", "discipline_lead"),
        )
    }
    PointThreshold.objects.filter(organisation_kind="court", consequence="reminder").update(points=15)
    for officer, case in ((proc.prosecutor, proc.case()), (world.judge, world.case())):
        review = Review.objects.create(case=case, officer=officer, reason="抽查")
        PointEntry.objects.create(officer=officer, year=2026, review=review, case=case, points=12, reason="瑕疵")
        points_apply_thresholds(officer=officer, year=2026, case=case)
    reminded = ConsequenceRecord.objects.filter(consequence="reminder")
    assert list(reminded.values_list("officer", "threshold__organisation_kind")) == [
        (proc.prosecutor.pk, "procuratorate")
    ]


def test_a_prosecutor_flags_by_the_procuratorate_s_own_situations(proc, world):
    """The flag form of a prosecutor's case offers the procuratorate's situations and the shared ones, never a
    court's (法官, 裁判, 审限); a judge's offers the court's, never the procuratorate's."""
    offered = re.compile(r'<option value="([A-Z]+-[0-9A-Z]+)">')
    page = browser(proc.prosecutor).get(f"/cases/{proc.case().public_id}/").content.decode()
    prosecutor = set(offered.findall(page))
    # the categories in its words too: 类案处理决定, 检察官 (a court's 类案裁判, 法官违法审判)
    assert "可能与类案处理决定冲突" in page and "反映检察官违法办案" in page
    assert "类案裁判" not in page and "违法审判" not in page
    judge = set(offered.findall(browser(world.judge).get(f"/cases/{world.case().public_id}/").content.decode()))
    assert {"PC-01", "PR-02", "M-01", "G-01"} <= prosecutor and not {"C-01", "R-02", "M-09"} & prosecutor
    assert {"C-01", "R-02", "M-01", "G-01"} <= judge and not {"PC-01", "PR-02"} & judge


def test_a_prosecutors_discipline_appeal_goes_to_the_procuratorate_above(proc):
    city_chief = make_officer(
        "citygen", roles=["president", "prosecutor"], organisation=proc.city, post=Post.PRESIDENT, is_quota=True
    )
    inspector = make_officer("proinsp", roles=["inspector"], organisation=proc.province, name="督察甲")
    lead = discipline.lead_register(
        actor=inspector, officer=proc.prosecutor, source="complaint", summary="当事人投诉承办检察官未依法告知诉讼权利"
    )
    proceeding = discipline.lead_open(actor=inspector, lead=lead, allegation="涉嫌违反法定程序")
    assert proceeding.organisation == proc.district
    assert discipline.appeal_deciders(proceeding) == [city_chief]  # 第二分院 hears the appeal, not a court


def offered(officer: Officer, case: Case) -> list[str]:
    """The action types the case page's 记录 form offers, by their words."""
    html = browser(officer).get(f"/cases/{case.public_id}/").content.decode()
    return re.findall(r'name="action_type" value="[a-z_]+"[^>]*> ([^<]+)</label>', html)


def test_the_record_form_offers_a_prosecutors_acts_in_the_procuratorates_words(proc, world):
    words = offered(proc.prosecutor, proc.case())
    assert {"出席法庭支持公诉", "签发检察法律文书", "审查证据、听取意见", "退回补充侦查"} <= set(words)
    assert not {"开庭审理", "排期开庭", "签署裁判文书", "合议", "起草裁判文书"} & set(words)
    judge = offered(world.judge, world.case())
    assert {"开庭审理", "签署裁判文书", "合议"} <= set(judge) and "出席法庭支持公诉" not in judge


def test_the_trace_names_a_prosecutors_acts_in_the_procuratorates_words(proc, world):
    case = proc.case()
    case_log_action(actor=proc.prosecutor, case=case, action_type="hearing_held", note="出庭")
    html = browser(proc.prosecutor).get(f"/cases/{case.public_id}/").content.decode()
    assert "<strong>出席法庭支持公诉</strong>" in html and "<strong>开庭审理</strong>" not in html
    court = world.case()
    case_log_action(actor=world.judge, case=court, action_type="hearing_held", note="开庭")
    assert "<strong>开庭审理</strong>" in browser(world.judge).get(f"/cases/{court.public_id}/").content.decode()
