"""Nodes waived by closing method (FlowNode.waived_for): a case withdrawn (撤诉), mediated (调解) or transferred (移送)
closes without 开庭审理 or 合议, while the ruling or 调解书 is still signed and served; a judgment still needs them. The
service, the closing page (the check per method, the button following the method in Chromium), the case page, the
flow API and the admin."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.errors import ValidationFailed
from accountability.models import RuleChange
from cases import flows, services
from cases.flows import NodeStatus, case_flow, missing_required_nodes, overdue_nodes
from cases.models import Case, FlowNode
from tests import test_browser, test_closing
from tests.conftest import client_for
from tests.factories import PASSWORD, CaseFactory
from tests.test_browser import browser_type_launch_args  # noqa: F401  (Debian's Chromium for the browser test)
from tests.test_closing import close, decided_original, fresh, recent, walk

pytestmark = pytest.mark.django_db

appeal_team = test_closing.appeal_team  # the fixture: the high court's civil division, its chief and a judge

WITHOUT_TRIAL = ["withdrawal", "mediation", "transfer"]
#: served, then the ruling allowing the withdrawal (or the 调解书) signed and served: no hearing, no deliberation
NO_TRIAL = ("served", "ruling_signed", "served")


@pytest.fixture(autouse=True)
def fresh_flow_cache():
    flows.flow_cache_clear()
    yield
    flows.flow_cache_clear()


def browser(officer) -> Client:
    client = Client()
    assert client.login(username=officer.user.username, password=PASSWORD)
    return client


def untried(world, **kwargs) -> Case:
    """A civil first-instance case filed 100 days ago (开庭审理, due at 90 days, is overdue), served, its ruling or
    调解书 signed and served, never heard nor deliberated."""
    case = recent(world, filed_on=timezone.localdate() - dt.timedelta(days=100), **kwargs)
    walk(world, case, NO_TRIAL)
    return fresh(case)


# --- the defaults ------------------------------------------------------------------------------------------------


def test_the_default_nodes_are_waived_for_the_closings_without_a_trial(world):
    waived = {
        (n.procedure, n.code): n.waived_for
        for n in FlowNode.objects.filter(
            case_type="civil", procedure__in=["first_instance", "second_instance", "retrial"]
        )
        if n.waived_for  # only the waived ones (a court's: a procuratorate's supervision has its own)
    }
    assert waived == {
        ("first_instance", "hearing"): WITHOUT_TRIAL,
        ("first_instance", "deliberation"): WITHOUT_TRIAL,
        ("retrial", "hearing"): WITHOUT_TRIAL,
        ("retrial", "deliberation"): WITHOUT_TRIAL,
        ("second_instance", "deliberation"): ["withdrawal", "mediation"],  # 撤回上诉, 二审调解
    }
    # the ruling or 调解书 is signed and served whatever the method; enforcement has no hearing to waive
    assert not FlowNode.objects.filter(code__in=["signing", "delivery", "service"]).exclude(waived_for=[]).exists()
    assert not FlowNode.objects.filter(case_type="enforcement").exclude(waived_for=[]).exists()
    assert FlowNode.objects.get(case_type="criminal", procedure="first_instance", code="hearing").waived_for == (
        WITHOUT_TRIAL
    )


# --- the service -------------------------------------------------------------------------------------------------


def test_a_judgment_without_a_hearing_is_refused_naming_it_a_withdrawal_closes(world):
    case = untried(world)
    with pytest.raises(ValidationFailed) as refused:
        close(world, case, closing_method="judgment")
    assert refused.value.message == "结案前校验未通过：缺少必经节点：开庭审理、合议"
    assert refused.value.details == {"nodes": ["hearing", "deliberation"]}
    for method in ("ruling", "other"):
        with pytest.raises(ValidationFailed):
            close(world, case, closing_method=method)
    assert fresh(case).closed_on is None

    assert [n.code for n in missing_required_nodes(case)] == ["hearing", "deliberation"]  # no method: all of them
    assert missing_required_nodes(case, closing_method="withdrawal") == []
    closed = close(world, case, closing_method="withdrawal")
    assert (closed.closed_on, closed.closing_method) == (timezone.localdate(), "withdrawal")
    assert closed.actions.get(action_type="closed").payload["closing_method"] == "withdrawal"
    # on the case closed by withdrawal the hearing not held is skipped, no longer past due
    states = {s.code: s for s in case_flow(fresh(case))}
    assert (states["hearing"].state, states["hearing"].due_on) == (NodeStatus.SKIPPED, None)
    assert states["deliberation"].state == NodeStatus.SKIPPED
    assert states["signing"].state == states["delivery"].state == NodeStatus.REACHED
    assert overdue_nodes(fresh(case)) == []


def test_before_its_closing_the_untried_case_shows_the_hearing_past_due(world):
    case = untried(world)
    states = {s.code: s.state for s in case_flow(case)}
    assert states["hearing"] == NodeStatus.OVERDUE  # the method is not known until the closing


@pytest.mark.parametrize("method", ["mediation", "transfer"])
def test_a_mediation_or_a_transfer_closes_without_a_hearing(world, method):
    case = untried(world)
    closed = close(world, case, closing_method=method)
    assert closed.closing_method == method


def test_a_withdrawal_still_needs_its_ruling_signed_and_served(world):
    case = recent(world)
    walk(world, case, ("served",))
    with pytest.raises(ValidationFailed) as refused:
        close(world, case, closing_method="withdrawal")
    assert refused.value.message == "结案前校验未通过：缺少必经节点：裁判文书签署、裁判文书送达"
    assert refused.value.details == {"nodes": ["signing", "delivery"]}


def test_an_appeal_withdrawn_closes_without_deliberation_a_ruling_does_not(world, appeal_team):
    original = decided_original(world)
    division, chief, judge = appeal_team
    appeal = CaseFactory(
        case_number="（2026）沪民终8号",
        organisation=world.high,
        department=division,
        procedure="second_instance",
        original_case=original,
        filed_on=timezone.localdate() - dt.timedelta(days=10),
        time_limit_days=90,
    )
    services.case_assign(actor=chief, case=appeal, lead_officer=judge)
    walk(world, appeal, NO_TRIAL, actor=judge)  # served, the ruling signed and served, never deliberated
    appeal = fresh(appeal)
    with pytest.raises(ValidationFailed) as refused:
        close(world, appeal, actor=judge, closing_method="ruling", outcome="upheld")
    assert refused.value.details == {"nodes": ["deliberation"]}
    with pytest.raises(ValidationFailed) as refused:
        close(world, appeal, actor=judge, closing_method="transfer", outcome="other")
    assert refused.value.details == {"nodes": ["deliberation"]}  # not waived for a transfer on appeal
    closed = close(world, appeal, actor=judge, closing_method="withdrawal", outcome="withdrawn")
    assert (closed.closing_method, closed.outcome) == ("withdrawal", "withdrawn")


def test_the_waived_list_is_edited_in_the_admin_and_takes_effect_at_once(world, admin_client):
    node = FlowNode.objects.get(case_type="civil", procedure="first_instance", code="hearing")
    data = {
        "case_type": "civil",
        "procedure": "first_instance",
        "position": str(node.position),
        "code": "hearing",
        "name": "开庭审理",
        "action_types": '["hearing_held"]',
        "deadline_days": "90",
        "deadline_from": "filing",
        "required": "on",
        "waived_for": '["mediation", "settled_over_tea"]',
        "is_active": "on",
    }
    url = f"/admin/cases/flownode/{node.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "以下列方式结案时不必经" in page and "withdrawal" in page
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "未知的结案方式：settled_over_tea。" in refused.content.decode()
    saved = admin_client.post(url, {**data, "waived_for": '["mediation"]'})
    assert saved.status_code == 302
    node.refresh_from_db()
    assert node.waived_for == ["mediation"]
    assert RuleChange.objects.filter(table="cases.FlowNode", object_id=str(node.pk)).count() == 1
    listing = admin_client.get("/admin/cases/flownode/?procedure__exact=first_instance&case_type__exact=civil")
    assert "撤诉、调解、移送" in listing.content.decode()  # 合议 still has them, named as users read them

    case = untried(world)
    assert [n.code for n in missing_required_nodes(case, closing_method="withdrawal")] == ["hearing"]
    with pytest.raises(ValidationFailed) as refused:
        close(world, case, closing_method="withdrawal")
    assert refused.value.message == "结案前校验未通过：缺少必经节点：开庭审理"
    assert close(world, case, closing_method="mediation").closing_method == "mediation"

    emptied = admin_client.post(url, {**data, "waived_for": ""})  # an empty field: waived for none
    assert emptied.status_code == 302
    node.refresh_from_db()
    assert node.waived_for == []


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_closing_page_lists_what_each_method_misses_and_leaves_the_button_on(world):
    case = untried(world)
    url = reverse("cases:close", args=[case.public_id])
    html = browser(world.judge).get(url).content.decode()
    assert re.search(r'id="close-button">', html)  # withdrawal may close: the button is on
    assert 'src="/static/js/closing.js"' in html and "<script>" not in html  # no inline script
    missing = re.search(r'id="missing-nodes">(.*?)</div></div>', html, re.S).group(1)
    assert '缺少必经节点：<span id="missing-names">开庭审理、合议</span>' in missing
    by_method = re.search(r'<div id="missing-by-method">(.*?)</div>', html, re.S).group(1)
    items = re.findall(r'<li data-method="(\w+)">(.*?)</li>', by_method)
    assert items == [
        ("judgment", "判决：开庭审理、合议"),
        ("ruling", "裁定：开庭审理、合议"),
        ("mediation", "调解：无"),
        ("withdrawal", "撤诉：无"),
        ("transfer", "移送：无"),
        ("other", "其他：开庭审理、合议"),
    ]
    data = json.loads(re.search(r'<script id="closing-check" type="application/json">(.*?)</script>', html).group(1))
    assert data["methods"]["withdrawal"] == [] and data["methods"]["judgment"] == ["开庭审理", "合议"]
    assert data["all"] == ["开庭审理", "合议"]

    # a judgment is refused, the page shown again for it with the button off; a withdrawal closes
    judge = browser(world.judge)
    refused = judge.post(url, {"closing_method": "judgment", "version": case.version})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "结案前校验未通过：缺少必经节点：开庭审理、合议" in html
    assert 'id="close-button" disabled' in html
    assert '<div class="error" role="alert" id="missing-nodes">' in html  # shown for the method chosen
    done = judge.post(url, {"closing_method": "withdrawal", "version": case.version})
    assert done.status_code == 302
    assert fresh(case).closing_method == "withdrawal"
    detail = judge.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    hearing = re.search(r'<li id="node-hearing".*?</li>', detail, re.S).group(0)
    assert "未进行" in hearing and "已超期" not in hearing


def test_chosen_withdrawal_with_nothing_missing_says_the_check_passed(world):
    case = untried(world)
    html = (
        browser(world.judge)
        .post(reverse("cases:close", args=[case.public_id]), {"closing_method": "withdrawal", "closed_on": "x"})
        .content.decode()
    )
    assert '<p class="ok" id="check-passed">✔ 所选结案方式要求的必经节点均已完成。</p>' in html
    assert 'id="missing-nodes" hidden' in html and 'id="close-button">' in html


def test_nodes_missing_for_every_method_keep_the_button_off_without_a_list_by_method(world):
    case = recent(world)
    walk(world, case, ("served", "hearing_held", "deliberated", "ruling_signed"))  # 裁判文书送达 is missing
    html = browser(world.judge).get(reverse("cases:close", args=[case.public_id])).content.decode()
    assert 'id="close-button" disabled' in html
    assert 'id="missing-by-method"' not in html
    assert '缺少必经节点：<span id="missing-names">裁判文书送达</span>' in html


def test_the_case_page_says_which_missing_nodes_a_withdrawal_does_without(world):
    case = untried(world)
    html = browser(world.judge).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    missing = re.search(r'<span class="bad" id="flow-missing">(.*?)</span>', html, re.S).group(1)
    assert missing == (
        "结案前尚缺必经节点：开庭审理（以调解、撤诉、移送方式结案的不必经）、合议（以调解、撤诉、移送方式结案的不必经）"
    )


# --- the API -----------------------------------------------------------------------------------------------------


def test_api_flow_names_what_each_method_misses_and_the_closing_follows_the_method(world):
    case = untried(world)
    judge = client_for(world.judge)
    body = judge.get(f"/api/cases/{case.public_id}/flow/").json()
    assert body["missing_required"] == ["hearing", "deliberation"]
    assert body["missing_required_by_method"] == {
        "judgment": ["hearing", "deliberation"],
        "ruling": ["hearing", "deliberation"],
        "mediation": [],
        "withdrawal": [],
        "transfer": [],
        "other": ["hearing", "deliberation"],
    }
    url = f"/api/cases/{case.public_id}/close/"
    refused = judge.post(url, {"closing_method": "judgment", "expected_version": case.version}, format="json")
    assert refused.status_code == 400
    assert refused.json()["details"]["nodes"] == ["hearing", "deliberation"]
    done = judge.post(url, {"closing_method": "withdrawal", "expected_version": case.version}, format="json")
    assert done.status_code == 200
    assert done.json()["closing_method"] == "withdrawal"
    states = {n["code"]: n["state"] for n in judge.get(f"/api/cases/{case.public_id}/flow/").json()["nodes"]}
    assert (states["hearing"], states["deliberation"]) == ("skipped", "skipped")


# --- in Chromium -------------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not Path(test_browser.CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's Chromium is not installed (CI installs it)",
)
@pytest.mark.django_db(transaction=True)
def test_the_button_follows_the_closing_method_in_the_browser(page, live_server, world):
    case = untried(world)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    test_browser.log_in(page, live_server, "judge")
    page.goto(live_server.url + reverse("cases:close", args=[case.public_id]))
    button = page.locator("#close-button")
    assert button.is_enabled()  # no method yet: some method may close
    assert page.locator("#missing-names").inner_text() == "开庭审理、合议"
    page.get_by_label("结案方式").select_option(label="判决")
    assert button.is_disabled()
    assert page.locator("#missing-nodes").is_visible() and not page.locator("#check-passed").is_visible()
    assert page.locator('#missing-by-method li[data-method="judgment"]').get_attribute("class") == "chosen"
    page.get_by_label("结案方式").select_option(label="撤诉")
    assert button.is_enabled()
    assert page.locator("#check-passed").is_visible() and not page.locator("#missing-nodes").is_visible()
    button.click()
    page.wait_for_url(f"**{reverse('cases:detail', args=[case.public_id])}")
    assert "已结案。" in page.locator(".messages").inner_text()
    assert page.locator("#node-hearing .node-state").inner_text() == "未进行"
    assert errors == []  # the CSP let the script run and nothing failed
    assert fresh(case).closing_method == "withdrawal"
