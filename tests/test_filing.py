"""Filing (立案): case numbers per the SPC's rules, time limits from the procedure rule in force and its revisions,
refused filings, who may file, the filing office's pages and API, and gap-free numbers under concurrent filings."""

from __future__ import annotations

import datetime as dt
import os
import threading
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import RuleChange
from cases import events, filing
from cases.models import (
    Action,
    Case,
    CaseNumberSequence,
    FilingRefusal,
    FlowNode,
    ProcedureRule,
    ProcedureRuleRevision,
)
from tests.conftest import client_for
from tests.factories import DepartmentFactory, OrganisationFactory, make_officer
from tests.test_browser import CHROMIUM, browser_type_launch_args, log_in  # noqa: F401 - the browser's fixture

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A working morning in 2026: "today" for the pages and the API, whose filings are dated today.
MORNING = dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def clerk_of_filing(world):
    """A filing officer (立案庭) of the basic court."""
    return make_officer("lian1", roles=["filing_officer"], organisation=world.court, name="林立案")


@pytest.fixture
def high_filing(world):
    """A filing officer of the high court (appeals from the basic court come up to it)."""
    DepartmentFactory(organisation=world.high, code="MS2", name="民事审判第二庭")
    return make_officer("lian2", roles=["filing_officer"], organisation=world.high, name="高立案")


def file(world, actor, **overrides):
    values = {
        "actor": actor,
        "organisation": actor.organisation,
        "department": world.civil if actor.organisation == world.court else actor.organisation.departments.first(),
        "case_type": "civil",
        "procedure": "first_instance",
        "track": "ordinary",
        "cause": "民间借贷纠纷",
        "parties": "原告：张三\n被告：李四",
        "filed_on": dt.date(2026, 1, 31),
    }
    values.update(overrides)
    return filing.case_file_new(**values)


# --- numbers --------------------------------------------------------------------------------------------------


def test_numbers_follow_the_spc_format_and_run_without_gaps(world, clerk_of_filing):
    first = file(world, clerk_of_filing)
    second = file(world, clerk_of_filing, track="summary")
    assert (first.case_number, second.case_number) == ("（2026）沪0101民初1号", "（2026）沪0101民初2号")
    sequence = CaseNumberSequence.objects.get(organisation=world.court, year=2026, type_code="民初")
    assert sequence.last == 2


def test_sequences_are_separate_per_type_code_court_and_year(world, clerk_of_filing):
    other_filing = make_officer("lian3", roles=["filing_officer"], organisation=world.other_court)
    numbers = [
        file(world, clerk_of_filing).case_number,
        file(world, clerk_of_filing, case_type="criminal", track="summary", department=world.criminal).case_number,
        file(world, clerk_of_filing, case_type="criminal", track="ordinary", department=world.criminal).case_number,
        file(world, other_filing, department=world.other_civil).case_number,
        file(world, clerk_of_filing, filed_on=dt.date(2025, 12, 31)).case_number,
        file(world, clerk_of_filing).case_number,
    ]
    assert numbers == [
        "（2026）沪0101民初1号",
        "（2026）沪0101刑初1号",
        "（2026）沪0101刑初2号",
        "（2026）苏0102民初1号",
        "（2025）沪0101民初1号",
        "（2026）沪0101民初2号",
    ]


def test_a_refused_or_rolled_back_filing_consumes_no_number(world, clerk_of_filing):
    assert file(world, clerk_of_filing).case_number == "（2026）沪0101民初1号"
    with pytest.raises(ValidationFailed) as refused:
        file(world, clerk_of_filing, parties="  \n ")
    assert refused.value.details == {"parties": ["请逐行列明当事人。"]}

    def fail(**kwargs):
        raise RuntimeError("a watcher failed after the number was taken")

    events.action_recorded.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            file(world, clerk_of_filing)
    finally:
        events.action_recorded.disconnect(dispatch_uid="test.fail")
    assert file(world, clerk_of_filing).case_number == "（2026）沪0101民初2号"
    assert list(
        Case.objects.filter(organisation=world.court, procedure_rule__isnull=False)
        .values_list("case_number", flat=True)
        .order_by("id")
    ) == [
        "（2026）沪0101民初1号",
        "（2026）沪0101民初2号",
    ]


def test_a_number_held_by_an_imported_case_is_passed_over(world, clerk_of_filing):
    world.case(case_number="（2026）沪0101民初1号", filed_on=dt.date(2026, 1, 5))  # imported with its own number
    assert file(world, clerk_of_filing).case_number == "（2026）沪0101民初2号"


def test_a_court_without_a_case_code_cannot_file(world, client):
    court = OrganisationFactory(code="NOCODE", name="未设代字人民法院", case_code="")
    department = DepartmentFactory(organisation=court, code="MS", name="民事审判庭")
    officer = make_officer("lian4", roles=["filing_officer"], organisation=court)
    with pytest.raises(ValidationFailed) as refused:
        file(world, officer, department=department)
    assert refused.value.details == {
        "organisation": ["未设代字人民法院尚未设置案号法院代字：须由管理员在机构信息中设置后方可立案。"]
    }
    assert not CaseNumberSequence.objects.exists()
    client.force_login(officer.user)
    page = client.get("/cases/filing/new/").content.decode()
    assert "未设代字人民法院尚未设置案号法院代字：须由管理员在机构信息中设置后方可立案。" in page


# --- time limits and rules ------------------------------------------------------------------------------------


def test_the_time_limit_comes_from_the_rule_in_force(world, clerk_of_filing):
    ordinary = file(world, clerk_of_filing)
    summary = file(world, clerk_of_filing, track="summary")
    criminal = file(world, clerk_of_filing, case_type="criminal", track="summary", department=world.criminal)
    assert [ordinary.time_limit_days, summary.time_limit_days, criminal.time_limit_days] == [181, 89, 20]
    rule = ProcedureRule.objects.get(case_type="civil", procedure="first_instance", track="ordinary")
    assert (ordinary.procedure_rule, ordinary.procedure_rule_revision, ordinary.track) == (rule, 1, "ordinary")
    filed = Action.objects.get(case=ordinary, action_type="filed")
    assert (filed.seq, filed.actor, filed.power_item_code, filed.source) == (1, clerk_of_filing, "FIL-01", "web")
    assert filed.payload == {
        "case_number": "（2026）沪0101民初1号",
        "sequence": 1,
        "rule": {
            "case_type": "civil",
            "procedure": "first_instance",
            "track": "ordinary",
            "type_code": "民初",
            "revision": 1,
        },
        "time_limit_days": 181,
        "original_case": None,
    }


def test_months_count_to_the_same_day_or_the_months_last_day():
    assert filing.months_later(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert filing.months_later(dt.date(2026, 1, 31), 6) == dt.date(2026, 7, 31)
    assert filing.months_later(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


def test_a_rule_change_applies_to_new_cases_and_old_cases_keep_theirs(world, clerk_of_filing, admin_user):
    before = file(world, clerk_of_filing, track="summary")
    rule = ProcedureRule.objects.get(case_type="civil", procedure="first_instance", track="summary")
    rule.limit_value = 4
    saved = filing.procedure_rule_save(rule=rule, changed_by=admin_user)
    assert saved.revision == 2
    assert filing.procedure_rule_save(rule=ProcedureRule.objects.get(pk=rule.pk), changed_by=admin_user).revision == 2
    after = file(world, clerk_of_filing, track="summary")
    before.refresh_from_db()
    assert [(c.time_limit_days, c.procedure_rule_revision) for c in (before, after)] == [(89, 1), (120, 2)]
    revisions = ProcedureRuleRevision.objects.filter(rule=rule).order_by("revision")
    assert [(r.revision, r.snapshot["limit_value"], r.changed_by) for r in revisions] == [
        (1, 3, None),
        (2, 4, admin_user),
    ]
    with pytest.raises(Conflict):
        file(world, clerk_of_filing, track="summary", expected_rule_revision=1)


def test_a_rule_keeps_its_case_type_procedure_and_track(world, admin_user):
    rule = ProcedureRule.objects.get(case_type="civil", procedure="first_instance", track="summary")
    rule.track = "small_claims"
    with pytest.raises(ValidationFailed):
        filing.procedure_rule_save(rule=rule, changed_by=admin_user)
    assert ProcedureRule.objects.get(pk=rule.pk).revision == 1


def test_the_track_must_exist_for_the_type_and_procedure(world, clerk_of_filing):
    with pytest.raises(ValidationFailed) as missing:
        file(world, clerk_of_filing, track="")
    assert missing.value.details == {"track": ["请选择程序类型：普通程序、简易程序、小额诉讼程序。"]}
    with pytest.raises(ValidationFailed) as extra:
        file(world, clerk_of_filing, procedure="second_instance", track="summary")
    assert extra.value.details["track"] == ["该案件类型和审理程序不区分程序类型，请留空。"]
    assert not CaseNumberSequence.objects.exists()


def test_the_admin_saves_a_rule_as_a_new_revision(world, admin_client):
    rule = ProcedureRule.objects.get(case_type="civil", procedure="first_instance", track="ordinary")
    data = {
        "type_code": "民初",
        "limit_value": "6",
        "limit_unit": "months",
        "extension_value": "6",
        "extension_unit": "months",
        "extension_approver": "president",
        "further_approver": "higher_court",
        "legal_basis": rule.legal_basis + "（修订）",
        "is_active": "on",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/cases/procedurerule/{rule.pk}/change/", data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.revision, rule.legal_basis.endswith("（修订）")) == (2, True)
    assert ProcedureRuleRevision.objects.filter(rule=rule).count() == 2
    page = admin_client.get(f"/admin/cases/procedurerule/{rule.pk}/change/").content.decode()
    assert "（修订）" in page
    for listing in ("procedurerule", "procedurerule/add", "procedurerulerevision", "flownode", "filingrefusal"):
        assert admin_client.get(f"/admin/cases/{listing}/").status_code == 200
    assert admin_client.get("/admin/cases/casenumbersequence/").status_code == 200


def test_the_admin_edits_a_flow_node_as_data_and_refuses_unknown_action_types(world, admin_client):
    node = FlowNode.objects.get(case_type="civil", procedure="first_instance", code="hearing")
    data = {
        "case_type": "civil",
        "procedure": "first_instance",
        "position": str(node.position),
        "code": "hearing",
        "name": "开庭审理",
        "action_types": '["hearing_held", "held_in_the_park"]',
        "deadline_days": "60",
        "deadline_from": "filing",
        "required": "on",
        "is_active": "on",
    }
    refused = admin_client.post(f"/admin/cases/flownode/{node.pk}/change/", data)
    assert refused.status_code == 200
    assert "未知的操作类型：held_in_the_park。" in refused.content.decode()
    saved = admin_client.post(f"/admin/cases/flownode/{node.pk}/change/", {**data, "action_types": '["hearing_held"]'})
    assert saved.status_code == 302
    node.refresh_from_db()
    assert (node.deadline_days, node.action_types) == (60, ["hearing_held"])
    assert RuleChange.objects.filter(table="cases.FlowNode", object_id=str(node.pk)).count() == 1


# --- appeals and retrials -------------------------------------------------------------------------------------


def test_an_appeal_is_filed_at_the_court_above_on_a_closed_case(world, clerk_of_filing, high_filing):
    original = world.case(
        case_number="（2025）沪0101民初77号",
        filed_on=dt.date(2025, 3, 1),
        closed_on=dt.date(2025, 9, 1),
        closing_method="judgment",
    )
    found = filing.original_case_find(
        user=high_filing.user, organisation=world.high, case_number=original.case_number, procedure="second_instance"
    )
    assert found == original
    appeal = file(world, high_filing, procedure="second_instance", track="", original_case=found)
    assert (appeal.case_number, appeal.original_case, appeal.time_limit_days) == ("（2026）沪民终1号", original, 89)

    with pytest.raises(ValidationFailed) as same_court:
        file(world, clerk_of_filing, procedure="second_instance", track="", original_case=original)
    assert same_court.value.details == {
        "original_case": ["上诉案件应由审理该案的上海市黄浦区人民法院的上一级法院立案。"]
    }
    pending = world.case(case_number="（2026）沪0101民初90号", filed_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationFailed) as still_open:
        file(world, high_filing, procedure="second_instance", track="", original_case=pending)
    assert still_open.value.details == {"original_case": ["原审案件尚未审结，尚无裁判。"]}
    with pytest.raises(ValidationFailed) as none:
        file(world, high_filing, procedure="second_instance", track="")
    assert none.value.details == {"original_case": ["上诉或再审案件须填写原审案件。"]}


def test_a_court_below_cannot_find_cases_of_other_courts_for_an_appeal(world, high_filing):
    elsewhere = world.case(
        organisation=world.other_court,
        case_number="（2025）苏0102民初5号",
        closed_on=dt.date(2025, 9, 1),
        closing_method="judgment",
    )
    assert (
        filing.original_case_find(
            user=high_filing.user,
            organisation=world.high,
            case_number=elsewhere.case_number,
            procedure="second_instance",
        )
        is None
    )


# --- who may file ---------------------------------------------------------------------------------------------


def test_the_filing_office_and_case_management_file_and_others_cannot(world, clerk_of_filing):
    assert file(world, clerk_of_filing).case_number == "（2026）沪0101民初1号"
    by_cmo = file(world, world.filing)
    assert (by_cmo.case_number, by_cmo.actions.get().power_item_code) == ("（2026）沪0101民初2号", "CMO-01")
    for officer in (world.judge, world.president, world.chief):
        with pytest.raises(PowerDenied) as refused:
            file(world, officer, organisation=world.court)
        assert refused.value.details == {"action_type": "filed"}  # no item allows it: none is named
    other = make_officer("lian5", roles=["filing_officer"], organisation=world.other_court)
    with pytest.raises(PowerDenied):
        file(world, other, organisation=world.court, department=world.civil)  # not their court
    assert CaseNumberSequence.objects.get(organisation=world.court).last == 2


def test_a_refused_filing_is_recorded_with_the_item_that_allowed_it(world, clerk_of_filing):
    refusal = filing.filing_refuse(
        actor=clerk_of_filing,
        organisation=world.court,
        case_type="civil",
        procedure="first_instance",
        cause="民间借贷纠纷",
        parties="原告：张三\n\n被告：李四",
        reason="不属于人民法院受理民事诉讼的范围",
    )
    by_cmo = filing.filing_refuse(
        actor=world.filing,
        organisation=world.court,
        case_type="administrative",
        procedure="first_instance",
        cause="",
        parties="原告：王五",
        reason="超过起诉期限",
    )
    assert [(r.power_item_code, r.refused_by, r.parties) for r in (refusal, by_cmo)] == [
        ("FIL-02", clerk_of_filing, "原告：张三\n被告：李四"),
        ("CMO-12", world.filing, "原告：王五"),
    ]
    with pytest.raises(PowerDenied):
        filing.filing_refuse(
            actor=world.judge,
            organisation=world.court,
            case_type="civil",
            procedure="first_instance",
            cause="",
            parties="原告：赵六",
            reason="无",
        )
    with pytest.raises(ValidationFailed) as invalid:
        filing.filing_refuse(
            actor=clerk_of_filing,
            organisation=world.court,
            case_type="civil",
            procedure="first_instance",
            cause="",
            parties="原告：赵六",
            reason=" ",
        )
    assert invalid.value.details == {"reason": ["请写明不予受理的理由。"]}
    assert FilingRefusal.objects.count() == 2
    assert not Case.objects.exists()
    assert not CaseNumberSequence.objects.exists()


# --- pages ----------------------------------------------------------------------------------------------------


def test_the_filing_form_files_a_case_and_shows_its_page_in_chinese(world, clerk_of_filing, client):
    client.force_login(clerk_of_filing.user)
    with time_machine.travel(MORNING, tick=False):
        form = client.get("/cases/filing/new/")
        assert form.status_code == 200
        text = form.content.decode()
        for words in (
            "立案",
            "承办部门",
            "案件类型",
            "程序类型",
            "当事人（每行一个）",
            "现行审理程序规则",
            "民初",
            "6 个月",
        ):
            assert words in text
        response = client.post(
            "/cases/filing/new/",
            {
                "department": str(world.civil.pk),
                "case_type": "civil",
                "procedure": "first_instance",
                "track": "summary",
                "cause": "买卖合同纠纷",
                "parties": "原告：甲公司\n被告：乙公司",
                "parties_count": "",
                "claim_amount": "120,000.50",
                "original_case": "",
                "note": "当场登记立案",
            },
            follow=True,
        )
    case = Case.objects.get()
    assert response.redirect_chain == [(f"/cases/{case.public_id}/", 302)]
    assert (case.case_number, case.parties_count, case.claim_amount, case.time_limit_days) == (
        "（2026）沪0101民初1号",
        2,
        Decimal("120000.50"),
        92,
    )
    assert "已立案，案号为（2026）沪0101民初1号。" in response.content.decode()


def test_a_refused_form_shows_what_was_typed_and_each_problem(world, clerk_of_filing, client):
    client.force_login(clerk_of_filing.user)
    response = client.post(
        "/cases/filing/new/",
        {
            "department": str(world.other_civil.pk),  # another court's division: not offered, not accepted
            "case_type": "civil",
            "procedure": "first_instance",
            "track": "",
            "cause": "买卖合同纠纷",
            "parties": "",
            "claim_amount": "",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "请选择审理本案的审判庭。" in text
    assert "请逐行列明当事人。" in text
    assert "请选择程序类型：普通程序、简易程序、小额诉讼程序。" in text
    assert 'value="买卖合同纠纷"' in text
    assert not Case.objects.exists()
    bad_number = client.post(
        "/cases/filing/new/",
        {
            "department": str(world.civil.pk),
            "case_type": "civil",
            "procedure": "first_instance",
            "claim_amount": "十万",
        },
    )
    assert bad_number.status_code == 400
    assert "请输入以元为单位的金额，例如 120000.50。" in bad_number.content.decode()


def test_the_refusal_form_records_and_the_list_shows_it(world, clerk_of_filing, client):
    client.force_login(clerk_of_filing.user)
    with time_machine.travel(MORNING, tick=False):
        assert "不予受理" in client.get("/cases/filing/refuse/").content.decode()
        response = client.post(
            "/cases/filing/refuse/",
            {
                "case_type": "civil",
                "procedure": "first_instance",
                "cause": "民间借贷纠纷",
                "parties": "原告：张三",
                "reason": "重复起诉",
            },
            follow=True,
        )
    assert response.redirect_chain == [("/cases/filing/?show=refused", 302)]
    text = response.content.decode()
    assert "不予受理情况已登记。" in text
    assert "重复起诉" in text
    assert "林立案" in text
    refusal = FilingRefusal.objects.get()
    assert (refusal.refused_on, refusal.power_item_code) == (dt.date(2026, 3, 2), "FIL-02")


@pytest.mark.parametrize("url", ["/cases/filing/", "/cases/filing/new/", "/cases/filing/refuse/"])
def test_the_filing_pages_do_not_exist_for_others(world, client, url):
    for officer in (world.judge, world.president, world.assistant, world.evaluator):
        client.force_login(officer.user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"case_type": "civil"}).status_code == 404
    assert not Case.objects.exists() and not FilingRefusal.objects.exists()


def test_the_filing_list_shows_the_courts_filings_and_todays_counts(world, clerk_of_filing, client):
    client.force_login(clerk_of_filing.user)
    with time_machine.travel(MORNING, tick=False):
        case = file(world, clerk_of_filing, filed_on=None, track="summary")
        world.case(organisation=world.other_court, case_number="（2026）苏0102民初9号")
        text = client.get("/cases/filing/").content.decode()
    assert "上海市黄浦区人民法院立案登记" in text
    assert case.case_number in text
    assert "（2026）苏0102民初9号" not in text
    assert '<div class="num" id="filed-today">1</div>' in text
    assert "92 天" in text
    assert "尚未分案" in text


def _list_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_filing_lists_cost_the_same_queries_for_one_or_three_rows(world, clerk_of_filing, client):
    client.force_login(clerk_of_filing.user)

    def add():
        file(world, clerk_of_filing)
        filing.filing_refuse(
            actor=clerk_of_filing,
            organisation=world.court,
            case_type="civil",
            procedure="first_instance",
            cause="",
            parties="原告：张三",
            reason="重复起诉",
        )

    add()
    one = [_list_queries(client, url) for url in ("/cases/filing/", "/cases/filing/?show=refused")]
    add()
    add()
    three = [_list_queries(client, url) for url in ("/cases/filing/", "/cases/filing/?show=refused")]
    assert one == three


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_files_a_case_and_returns_its_number(world, clerk_of_filing):
    api = client_for(clerk_of_filing)
    with time_machine.travel(MORNING, tick=False):
        response = api.post(
            "/api/filings/",
            {
                "department": "MS1",
                "case_type": "civil",
                "procedure": "first_instance",
                "track": "ordinary",
                "cause": "民间借贷纠纷",
                "parties": "原告：张三\n被告：李四\n第三人：王五",
                "claim_amount": "50000.00",
            },
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("case_number", "track", "type_code", "procedure_rule_revision", "filed_on")} == {
        "case_number": "（2026）沪0101民初1号",
        "track": "ordinary",
        "type_code": "民初",
        "procedure_rule_revision": 1,
        "filed_on": "2026-03-02",
    }
    assert (body["time_limit_days"], body["parties_count"], body["claim_amount"]) == (184, 3, "50000.00")
    assert Action.objects.get(case__case_number=body["case_number"]).source == "api"


def test_the_api_refuses_with_structured_errors(world, clerk_of_filing):
    api = client_for(clerk_of_filing)
    wrong = api.post(
        "/api/filings/",
        {"department": "MS1", "case_type": "civil", "procedure": "first_instance", "cause": "借款", "parties": "甲"},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["details"] == {"track": ["请选择程序类型：普通程序、简易程序、小额诉讼程序。"]}
    unknown = api.post(
        "/api/filings/",
        {"department": "NOPE", "case_type": "civil", "procedure": "first_instance", "cause": "借款", "parties": "甲"},
        format="json",
    )
    assert (unknown.status_code, list(unknown.json()["details"])) == (400, ["department"])
    judge = client_for(world.judge).post(
        "/api/filings/",
        {"department": "MS1", "case_type": "civil", "procedure": "first_instance", "cause": "借款", "parties": "甲"},
        format="json",
    )
    assert judge.status_code == 403
    assert (judge.json()["code"], judge.json()["details"]) == ("power_denied", {"action_type": "filed"})
    assert client_for(world.judge).get("/api/filings/").status_code == 403
    assert client_for(world.president).get("/api/filing-refusals/").status_code == 403
    assert not Case.objects.exists()


def test_the_api_records_and_lists_refused_filings(world, clerk_of_filing):
    api = client_for(clerk_of_filing)
    created = api.post(
        "/api/filing-refusals/",
        {"case_type": "civil", "procedure": "first_instance", "parties": "原告：张三", "reason": "重复起诉"},
        format="json",
    )
    assert created.status_code == 201
    assert {
        k: created.json()[k] for k in ("organisation_code", "reason", "refused_by_officer_id", "power_item_code")
    } == {
        "organisation_code": "SH0101",
        "reason": "重复起诉",
        "refused_by_officer_id": "lian1",
        "power_item_code": "FIL-02",
    }
    other = make_officer("lian6", roles=["filing_officer"], organisation=world.other_court)
    filing.filing_refuse(
        actor=other,
        organisation=world.other_court,
        case_type="civil",
        procedure="first_instance",
        cause="",
        parties="原告：赵六",
        reason="超过起诉期限",
    )
    listed = api.get("/api/filing-refusals/").json()["results"]
    assert [r["reason"] for r in listed] == ["重复起诉"]
    assert (
        client_for(world.judge)
        .post(
            "/api/filing-refusals/",
            {"case_type": "civil", "procedure": "first_instance", "parties": "原告：张三", "reason": "重复起诉"},
            format="json",
        )
        .status_code
        == 403
    )


def test_the_api_lists_cost_the_same_queries_for_one_or_three_rows(world, clerk_of_filing):
    api = client_for(clerk_of_filing)
    file(world, clerk_of_filing)
    one = _list_queries(api, "/api/filings/")
    file(world, clerk_of_filing)
    file(world, clerk_of_filing)
    three = _list_queries(api, "/api/filings/")
    listed = api.get("/api/filings/").json()["results"]
    assert [c["case_number"] for c in listed] == [f"（2026）沪0101民初{n}号" for n in (3, 2, 1)]
    assert one == three


# --- concurrency (PostgreSQL) ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_filings_get_numbers_one_to_twenty(world, clerk_of_filing):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    clerk_of_filing.role_codes  # noqa: B018 - load the roles once, before the threads share the officer
    start = threading.Barrier(20)
    numbers: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def file_one() -> None:
        try:
            start.wait(timeout=30)
            case = file(world, clerk_of_filing)
            with lock:
                numbers.append(case.case_number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted(numbers, key=lambda n: int(n.removeprefix("（2026）沪0101民初").removesuffix("号"))) == [
        f"（2026）沪0101民初{n}号" for n in range(1, 21)
    ]
    assert CaseNumberSequence.objects.get(organisation=world.court, year=2026, type_code="民初").last == 20


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "Correct-Horse-42")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# --- in the browser -------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's Chromium is not installed (CI installs it)",
)
@pytest.mark.django_db(transaction=True)
def test_the_filing_officer_files_a_case_in_the_browser(page, live_server, world, clerk_of_filing):
    log_in(page, live_server, "lian1")
    page.goto(f"{live_server.url}/cases/filing/")
    page.get_by_role("link", name="登记立案").click()
    page.get_by_label("承办部门").select_option(label="民事审判第一庭")
    page.get_by_label("案件类型").select_option(label="民事")
    page.get_by_label("审理程序").select_option(label="一审")
    page.get_by_label("程序类型").select_option(label="简易程序")
    page.get_by_label("案由").fill("物业服务合同纠纷")
    page.get_by_label("当事人（每行一个）").fill("原告：某物业公司\n被告：刘某")
    page.get_by_role("button", name="立案", exact=True).click()
    year = timezone.localdate().year
    page.get_by_text(f"已立案，案号为（{year}）沪0101民初1号。").wait_for()
    case = Case.objects.get()
    assert page.url == f"{live_server.url}/cases/{case.public_id}/"
    assert (case.case_number, case.track, case.parties_count) == (f"（{year}）沪0101民初1号", "summary", 2)
