"""Closing (结案) with the pre-closing check, archiving (归档), an appeal's outcome written back and a remand opening the
new first-instance case; the closing page, the flow panel and the API; who may close and archive and who may not."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.choices import ActionType
from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.powers import power_decide
from cases import closing, flows, services
from cases.audit import verify_chains
from cases.models import Action, Case
from tests import test_browser
from tests.conftest import client_for
from tests.factories import PASSWORD, CaseFactory, DepartmentFactory, make_officer
from tests.test_browser import browser_type_launch_args  # noqa: F401  (Debian's Chromium for the browser test)

pytestmark = pytest.mark.django_db

ALL_NODES = ("served", "hearing_held", "deliberated", "ruling_signed", "served")


@pytest.fixture(autouse=True)
def fresh_flow_cache():
    flows.flow_cache_clear()
    yield
    flows.flow_cache_clear()


def recent(world, **kwargs) -> Case:
    """A civil first-instance case filed 20 days ago (lead 王法官, panel 李法官, assistant, clerk)."""
    kwargs.setdefault("filed_on", timezone.localdate() - dt.timedelta(days=20))
    return world.case(**kwargs)


def walk(world, case: Case, types=ALL_NODES, actor=None) -> None:
    for action_type in types:
        services.case_log_action(actor=actor or world.judge, case=case, action_type=action_type)


def close(world, case: Case, **kwargs) -> Case:
    kwargs.setdefault("closed_on", timezone.localdate())
    kwargs.setdefault("closing_method", "judgment")
    return services.case_close(actor=kwargs.pop("actor", world.judge), case=case, **kwargs)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- the pre-closing check ---------------------------------------------------------------------------------------


def test_closing_is_refused_naming_the_missing_nodes_then_allowed_once_they_are_logged(world):
    case = recent(world)
    before = (case.version, case.trace_length)
    with pytest.raises(ValidationFailed) as refused:
        close(world, case)
    assert (
        refused.value.message
        == "结案前校验未通过：缺少必经节点：送达起诉状副本、开庭审理、合议、裁判文书签署、裁判文书送达"
    )
    assert refused.value.details == {"nodes": ["service", "hearing", "deliberation", "signing", "delivery"]}
    walk(world, case, ("served", "hearing_held", "deliberated"))
    with pytest.raises(ValidationFailed) as refused:
        close(world, case)
    assert refused.value.message == "结案前校验未通过：缺少必经节点：裁判文书签署、裁判文书送达"
    assert refused.value.details == {"nodes": ["signing", "delivery"]}
    assert fresh(case).closed_on is None
    assert (fresh(case).version, fresh(case).trace_length) == (before[0], before[1] + 3)

    walk(world, case, ("ruling_signed", "served"))
    closed = close(world, case, awarded_amount=Decimal("52000.00"))
    assert (closed.closed_on, closed.closing_method, closed.awarded_amount) == (
        timezone.localdate(),
        "judgment",
        Decimal("52000.00"),
    )
    action = Action.objects.filter(case=case).order_by("-seq").first()
    assert (action.action_type, action.power_item_code, action.payload) == (
        "closed",
        "JUD-11",
        {
            "closed_on": timezone.localdate().isoformat(),
            "closing_method": "judgment",
            "outcome": "",
            "awarded_amount": "52000.00",
        },
    )


def test_a_record_from_elsewhere_closes_without_the_check_and_says_so(world):
    case = recent(world)
    close(world, case, closing_method="withdrawal", check_nodes=False)
    action = Action.objects.filter(case=case, action_type="closed").get()
    assert action.payload["pre_closing_check"] == "not_made"


def test_a_closing_method_must_fit_the_case_type(world):
    case = recent(world, case_type="enforcement", procedure="enforcement")
    services.case_log_action(actor=world.judge, case=case, action_type="served")
    with pytest.raises(ValidationFailed) as refused:
        close(world, case, closing_method="judgment")
    assert refused.value.details == {"closing_method": ["执行案件不能以判决方式结案。"]}
    closed = close(world, case, closing_method="other", recovered_amount=Decimal("8000"))
    assert closed.recovered_amount == Decimal("8000")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("judge", True), ("judge2", False), ("chief", False), ("clerk", False), ("president", False)],
)
def test_who_may_close(world, who, allowed):
    case = recent(world)
    walk(world, case)
    actor = getattr(world, who)
    if allowed:
        assert close(world, case, actor=actor).closed_on == timezone.localdate()
    else:
        with pytest.raises(PowerDenied):
            close(world, case, actor=actor)
        assert fresh(case).closed_on is None


# --- archiving ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "item"),
    [("judge", "JUD-23"), ("clerk", "CLK-05"), ("filing", "CMO-14"), ("judge2", None), ("assistant", None)],
)
def test_who_may_archive(world, who, item):
    case = recent(world)
    walk(world, case)
    case = close(world, case)
    actor = getattr(world, who)
    if item is None:
        with pytest.raises(PowerDenied):
            closing.case_archive(actor=actor, case=case, expected_version=case.version)
        assert fresh(case).archived_on is None
        return
    archived = closing.case_archive(actor=actor, case=case, expected_version=case.version)
    assert archived.archived_on == timezone.localdate()
    action = Action.objects.filter(case=case).order_by("-seq").first()
    assert (action.action_type, action.power_item_code, action.actor) == ("archived", item, actor)


def test_an_open_case_cannot_be_archived_nor_an_archived_one_again_nor_from_a_stale_page(world):
    case = recent(world)
    with pytest.raises(ValidationFailed) as refused:
        closing.case_archive(actor=world.judge, case=case, expected_version=case.version)
    assert refused.value.details == {"case": ["只有已结案件才能归档。"]}
    walk(world, case)
    case = close(world, case)
    with pytest.raises(Conflict):
        closing.case_archive(actor=world.judge, case=case, expected_version=case.version - 1)
    case = closing.case_archive(actor=world.judge, case=case, expected_version=case.version)
    with pytest.raises(Conflict):
        closing.case_archive(actor=world.clerk, case=case, expected_version=case.version)


def test_an_archived_case_takes_corrections_only(world):
    case = recent(world)
    walk(world, case)
    case = close(world, case)
    closing.case_archive(actor=world.judge, case=case, expected_version=case.version)
    with pytest.raises(ValidationFailed) as refused:
        services.case_log_action(actor=world.judge, case=case, action_type="note", note="补充说明")
    assert refused.value.message == "本案已归档，只能以更正的方式补充记录"
    signed = Action.objects.get(case=case, action_type="ruling_signed")
    correction = services.case_log_action(
        actor=world.judge, case=case, action_type="note", note="更正：签署日期笔误", corrects=signed
    )
    assert (correction.corrects_id, correction.note) == (signed.pk, "更正：签署日期笔误")
    assert verify_chains(case_number=case.case_number) == []


# --- appeals and retrials ----------------------------------------------------------------------------------------


@pytest.fixture
def appeal_team(world):
    division = DepartmentFactory(organisation=world.high, code="MS1", name="民事审判第一庭")
    chief = make_officer(
        "high_chief", roles=["judge", "division_chief"], organisation=world.high, department=division, is_quota=True
    )
    judge = make_officer(
        "high_judge", roles=["judge"], organisation=world.high, department=division, is_quota=True, name="高法官"
    )
    return division, chief, judge


def appeal_of(world, appeal_team, original: Case, *, number: str = "（2026）沪民终7号") -> Case:
    division, chief, judge = appeal_team
    appeal = CaseFactory(
        case_number=number,
        organisation=world.high,
        department=division,
        procedure="second_instance",
        original_case=original,
        filed_on=timezone.localdate() - dt.timedelta(days=10),
        time_limit_days=90,
    )
    services.case_assign(actor=chief, case=appeal, lead_officer=judge)
    walk(world, appeal, ("served", "hearing_held", "deliberated", "ruling_signed", "served"), actor=judge)
    return fresh(appeal)


def decided_original(world) -> Case:
    original = recent(world, filed_on=timezone.localdate() - dt.timedelta(days=120))
    walk(world, original)
    return close(world, original, closed_on=timezone.localdate() - dt.timedelta(days=30))


def test_an_amended_appeal_writes_its_outcome_back_to_the_original_case(world, appeal_team):
    original = decided_original(world)
    appeal = appeal_of(world, appeal_team, original)
    length = fresh(original).trace_length
    close(world, appeal, actor=appeal_team[2], outcome="amended")
    written = Action.objects.filter(case=original).order_by("-seq").first()
    assert written.seq == length + 1
    assert (written.action_type, written.actor, written.source, written.power_item_code) == (
        "appeal_outcome_recorded",
        None,
        "system",
        "",
    )
    assert written.payload == {
        "case_number": "（2026）沪民终7号",
        "procedure": "second_instance",
        "court": "上海市高级人民法院",
        "outcome": "amended",
        "closing_method": "judgment",
        "closed_on": timezone.localdate().isoformat(),
    }
    assert written.note == "（2026）沪民终7号（二审）已结案：改判。"
    assert fresh(original).version == original.version  # written to the trace, the case itself unchanged
    assert verify_chains(case_number=original.case_number) == []
    assert not Case.objects.filter(original_case=appeal).exists()  # no remand


def test_nobody_records_an_appeal_outcome_by_hand(world):
    case = recent(world)
    decision = power_decide(officer=world.admin, action_type=ActionType.APPEAL_OUTCOME_RECORDED, case=case)
    assert (decision.allowed, decision.item.code) == (False, "ADM-N5")
    with pytest.raises(ValidationFailed):
        services.case_log_action(actor=world.judge, case=case, action_type="appeal_outcome_recorded")


def test_a_remand_opens_the_new_first_instance_case_at_the_first_court(world, appeal_team):
    original = decided_original(world)
    appeal = appeal_of(world, appeal_team, original)
    close(world, appeal, actor=appeal_team[2], outcome="remanded", closing_method="ruling")
    new = Case.objects.get(original_case=appeal)
    year = timezone.localdate().year
    assert (new.case_number, new.organisation, new.department, new.procedure, new.track) == (
        f"（{year}）沪0101民初1号",
        world.court,
        world.civil,
        "first_instance",
        "ordinary",
    )
    assert (new.cause, new.filed_on, new.lead_officer, new.closed_on) == (
        original.cause,
        timezone.localdate(),
        None,
        None,
    )
    assert new.time_limit_days > 180 and new.procedure_rule.type_code == "民初"
    (filing,) = Action.objects.filter(case=new)
    assert (filing.action_type, filing.actor, filing.source) == ("filed", None, "system")
    assert filing.note == (f"上海市高级人民法院以（2026）沪民终7号发回重审；原一审案号{original.case_number}。")
    assert filing.payload["remanded_by"] == "（2026）沪民终7号"
    written = Action.objects.get(case=original, action_type="appeal_outcome_recorded")
    assert (written.payload["outcome"], written.payload["remanded_case"]) == ("remanded", new.case_number)
    assert verify_chains() == []


def test_a_remand_to_a_court_without_a_case_code_refuses_the_closing_whole(world, appeal_team):
    original = decided_original(world)
    appeal = appeal_of(world, appeal_team, original)
    type(world.court).objects.filter(pk=world.court.pk).update(case_code="")
    with pytest.raises(ValidationFailed):
        close(world, appeal, actor=appeal_team[2], outcome="remanded", closing_method="ruling")
    assert fresh(appeal).closed_on is None
    assert not Action.objects.filter(case=original, action_type="appeal_outcome_recorded").exists()


# --- the pages ---------------------------------------------------------------------------------------------------


def browser(officer) -> Client:
    client = Client()
    assert client.login(username=officer.user.username, password=PASSWORD)
    return client


def test_the_closing_page_lists_the_missing_nodes_and_disables_its_button(world):
    case = recent(world)
    page = browser(world.judge).get(reverse("cases:close", args=[case.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "缺少必经节点" in html or "必经节点" in html
    assert "送达起诉状副本、开庭审理、合议、裁判文书签署、裁判文书送达" in html
    assert 'id="close-button" disabled' in html
    # a civil case: 判决、裁定、调解、撤诉、移送、其他; no outcome for a first-instance case
    assert [m for m in ("判决", "裁定", "调解", "撤诉", "移送") if f">{m}</option>" in html] == [
        "判决",
        "裁定",
        "调解",
        "撤诉",
        "移送",
    ]
    assert 'name="outcome"' not in html


@pytest.mark.parametrize("who", ["judge2", "chief", "clerk", "other_judge"])
def test_the_closing_page_does_not_exist_for_those_who_may_not_close(world, who):
    case = recent(world)
    assert browser(getattr(world, who)).get(reverse("cases:close", args=[case.public_id])).status_code == 404


def test_closing_in_the_browser_then_archiving_from_the_flow_panel(world):
    case = recent(world)
    walk(world, case)
    judge = browser(world.judge)
    url = reverse("cases:close", args=[case.public_id])
    page = judge.get(url)
    assert 'id="close-button" disabled' not in page.content.decode()
    refused = judge.post(url, {"closing_method": "judgment", "closed_on": "2001-01-01", "version": fresh(case).version})
    assert refused.status_code == 400
    assert "结案日期不能早于立案日期" in refused.content.decode()
    done = judge.post(
        url, {"closing_method": "mediation", "awarded_amount": "12,000.50", "version": fresh(case).version}
    )
    assert done.status_code == 302 and done.url == reverse("cases:detail", args=[case.public_id])
    case = fresh(case)
    assert (case.closing_method, case.awarded_amount) == ("mediation", Decimal("12000.50"))

    detail = judge.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert 'id="flow"' in detail and 'id="archive-form"' in detail
    assert 'id="node-closed" class=" ok"' in detail
    assert (
        'id="archive-form"'
        not in browser(world.judge2).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    )
    archived = judge.post(
        reverse("cases:archive", args=[case.public_id]),
        {"version": case.version, "next": reverse("cases:detail", args=[case.public_id])},
    )
    assert archived.status_code == 302
    assert fresh(case).archived_on == timezone.localdate()
    detail = judge.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert "已归档" in detail and 'id="archive-form"' not in detail


def test_the_case_page_shows_the_flow_with_the_current_and_overdue_nodes(world):
    case = recent(world)  # filed 20 days ago: 送达起诉状副本 (5 days) is overdue
    html = browser(world.judge).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert 'id="node-service" class="current bad"' in html
    assert "已超期" in html
    assert 'id="close-link"' in html
    assert (
        'id="close-link"'
        not in browser(world.judge2).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    )


# --- the API -----------------------------------------------------------------------------------------------------


def test_api_flow(world):
    case = recent(world)
    response = client_for(world.judge).get(f"/api/cases/{case.public_id}/flow/")
    assert response.status_code == 200
    body = response.json()
    assert body["case_number"] == case.case_number
    assert body["missing_required"] == ["service", "hearing", "deliberation", "signing", "delivery"]
    assert [n["code"] for n in body["nodes"]] == [
        "filed",
        "assigned",
        "service",
        "evidence",
        "pretrial",
        "hearing",
        "deliberation",
        "signing",
        "delivery",
        "closed",
        "archived",
    ]
    service = body["nodes"][2]
    assert service == {
        "code": "service",
        "name": "送达起诉状副本",
        "position": 3,
        "required": True,
        "state": "overdue",
        "state_label": "已超期",
        "due_on": (case.filed_on + dt.timedelta(days=5)).isoformat(),
        "reached_at": None,
        "current": True,
        "late": False,
    }
    assert client_for(world.other_judge).get(f"/api/cases/{case.public_id}/flow/").status_code == 404


def test_api_close_and_archive(world):
    case = recent(world)
    judge = client_for(world.judge)
    url = f"/api/cases/{case.public_id}/close/"
    refused = judge.post(url, {"closing_method": "judgment", "expected_version": case.version}, format="json")
    assert refused.status_code == 400
    assert refused.json()["details"]["nodes"] == ["service", "hearing", "deliberation", "signing", "delivery"]
    walk(world, case)
    stale = judge.post(url, {"closing_method": "judgment", "expected_version": case.version - 1}, format="json")
    assert stale.status_code == 409
    assert (
        client_for(world.judge2)
        .post(url, {"closing_method": "judgment", "expected_version": case.version}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(world.other_judge)
        .post(url, {"closing_method": "judgment", "expected_version": case.version}, format="json")
        .status_code
        == 404
    )
    done = judge.post(url, {"closing_method": "judgment", "expected_version": case.version}, format="json")
    assert done.status_code == 200
    assert done.json() == {
        "id": str(case.public_id),
        "case_number": case.case_number,
        "closed_on": timezone.localdate().isoformat(),
        "closing_method": "judgment",
        "outcome": "",
        "awarded_amount": None,
        "recovered_amount": None,
        "version": case.version + 1,
        "remanded_case": None,
    }
    archive = f"/api/cases/{case.public_id}/archive/"
    assert (
        client_for(world.judge2).post(archive, {"expected_version": case.version + 1}, format="json").status_code == 403
    )
    archived = client_for(world.clerk).post(archive, {"expected_version": case.version + 1}, format="json")
    assert archived.status_code == 200
    assert archived.json() == {
        "id": str(case.public_id),
        "case_number": case.case_number,
        "archived_on": timezone.localdate().isoformat(),
        "version": case.version + 2,
    }
    assert judge.post(archive, {"expected_version": case.version + 2}, format="json").status_code == 409


def test_api_close_names_the_case_a_remand_opened(world, appeal_team):
    original = decided_original(world)
    appeal = appeal_of(world, appeal_team, original)
    response = client_for(appeal_team[2]).post(
        f"/api/cases/{appeal.public_id}/close/",
        {"closing_method": "ruling", "outcome": "remanded", "expected_version": appeal.version},
        format="json",
    )
    assert response.status_code == 200
    new = Case.objects.get(original_case=appeal)
    assert response.json()["remanded_case"] == {"id": str(new.public_id), "case_number": new.case_number}


def test_the_endpoints_are_in_the_schema(world):
    schema = client_for(world.judge).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/cases/{id}/flow/", "/api/cases/{id}/close/", "/api/cases/{id}/archive/"):
        assert path in schema


# --- in Chromium -------------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not Path(test_browser.CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's Chromium is not installed (CI installs it)",
)
@pytest.mark.django_db(transaction=True)
def test_a_judge_is_refused_closing_then_closes_and_archives_in_the_browser(page, live_server, world, tmp_path):
    case = recent(world)
    test_browser.log_in(page, live_server, "judge")
    page.goto(live_server.url + reverse("cases:detail", args=[case.public_id]))
    service = page.locator("#node-service")
    assert "送达起诉状副本" in service.inner_text() and "已超期" in service.inner_text()
    assert "结案前尚缺必经节点" in page.locator("#flow-missing").inner_text()
    page.get_by_role("link", name="结案", exact=True).click()
    assert page.get_by_role("button", name="结案").is_disabled()
    assert "送达起诉状副本、开庭审理、合议、裁判文书签署、裁判文书送达" in page.locator("#missing-nodes").inner_text()
    page.screenshot(path=str(tmp_path / "closing-refused.png"), full_page=True)

    walk(world, case)
    page.reload()
    assert page.locator("#check-passed").is_visible()
    page.get_by_label("结案方式").select_option(label="判决")
    page.get_by_label("判决（调解）金额（元）").fill("52000")
    page.get_by_role("button", name="结案").click()
    page.wait_for_url(f"**{reverse('cases:detail', args=[case.public_id])}")
    assert "已结案" in page.content()
    page.get_by_role("button", name="归档").click()
    page.wait_for_selector("#archived-on")
    assert "只能以更正的方式补充记录" in page.locator("#archived-on").inner_text()
    page.screenshot(path=str(tmp_path / "archived.png"), full_page=True)
    if os.environ.get("QUANZE_SCREENSHOTS"):
        shutil.copytree(tmp_path, os.environ["QUANZE_SCREENSHOTS"], dirs_exist_ok=True)
    case = fresh(case)
    assert (case.closing_method, case.awarded_amount, case.archived_on) == (
        "judgment",
        Decimal("52000"),
        timezone.localdate(),
    )
