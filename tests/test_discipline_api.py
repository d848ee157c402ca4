"""The discipline acts through both doors: one API endpoint per act (its own body, in the schema, always with
``expected_version``) and the proceeding page's forms, both calling the same services; a stale version is 409 and
changes nothing; a page's refused act comes back as a message from the one handler (DomainErrorMiddleware)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from discipline import services
from discipline.choices import Exemption
from discipline.models import Committee, CommitteeMember, Proceeding, RecusalRequest
from tests.conftest import client_for
from tests.factories import make_officer

pytestmark = pytest.mark.django_db

EVERY_EXEMPTION = [
    {"exemption": code, "applies": False, "reasoning": "不适用：有证据证明"} for code in Exemption.values
]
ACTS = [
    "suspend",
    "reinstate",
    "refer",
    "close",
    "notice",
    "recusal-request",
    "recusal-decide",
    "hear",
    "vote",
    "opinion",
    "serve",
    "acknowledge",
    "object",
    "objection-decide",
    "decide",
    "review-request",
    "review-decide",
    "appeal",
    "appeal-extend",
    "appeal-decide",
    "submit",
]


@pytest.fixture
def panel(world):
    """A committee at the high court: the committee member of the world and three judges (cm1 to cm3)."""
    judges = [
        make_officer(f"cm{i}", roles=["judge", "committee_member"], organisation=world.high, is_quota=True)
        for i in range(1, 4)
    ]
    committee = Committee.objects.create(organisation=world.high, name="上海市法官惩戒委员会")
    for member in [world.committee, *judges]:
        CommitteeMember.objects.create(committee=committee, officer=member)
    return committee, judges


def opened(world) -> Proceeding:
    lead = services.lead_register(actor=world.inspector, officer=world.judge, source="complaint", summary="投诉")
    return services.lead_open(actor=world.inspector, lead=lead, allegation="涉嫌故意违反法定程序")


def fresh(proceeding: Proceeding) -> Proceeding:
    return Proceeding.objects.get(pk=proceeding.pk)


def post_act(officer, proceeding: Proceeding, act: str, body: dict, *, version: int | None = None, fmt: str = "json"):
    """POST one act as ``officer``, with the proceeding's current version unless another is given."""
    current = fresh(proceeding).version if version is None else version
    return client_for(officer).post(
        f"/api/proceedings/{proceeding.public_id}/acts/{act}/", {**body, "expected_version": current}, format=fmt
    )


def bodies(world, committee: Committee, hearing_on: dt.date) -> dict[str, dict]:
    """A well-formed body for every act (what it would take, less ``expected_version``)."""
    decision = {"outcome": "changed", "reason": "酌情减轻", "kind": "warning", "measures": []}
    return {
        "suspend": {"reason": "不宜继续履职"},
        "reinstate": {"reason": "调查完毕"},
        "refer": {"committee": committee.pk, "members": ["committee", "cm1", "cm2", "cm3"], "findings": "调查报告"},
        "close": {"reason": "查无实据"},
        "notice": {"hearing_on": hearing_on.isoformat(), "notice": "听证通知"},
        "recusal-request": {"member": "cm3", "reason": "曾有矛盾"},
        "recusal-decide": {"member": "cm3", "grant": False, "reason": "理由不成立"},
        "hear": {"record": "听证笔录"},
        "vote": {"opinion": "gross_negligence", "reason": "同意"},
        "opinion": {"reasons": "存在重大过失", "findings": EVERY_EXEMPTION},
        "serve": {},
        "acknowledge": {},
        "object": {"text": "认定事实错误"},
        "objection-decide": {"grant": False, "reason": "异议不成立"},
        "decide": {"kind": "demerit", "measures": [], "text": "给予记过处分"},
        "review-request": {"reason": "处分过重"},
        "review-decide": {"outcome": "upheld", "reason": "维持"},
        "appeal": {"reason": "申诉"},
        "appeal-extend": {"reason": "案情复杂"},
        "appeal-decide": decision,
        "submit": {"text": "本人陈述"},
    }


# --- every act, by the officer whose act it is --------------------------------------------------------------


def test_every_act_through_the_api_moves_the_proceeding_as_the_service_does(world, panel, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    committee, (cm1, cm2, cm3) = panel
    body = bodies(world, committee, timezone.localdate() + dt.timedelta(days=7))
    proceeding = opened(world)
    steps = [  # who acts, the act, the stage after it, the event it records
        (world.judge, "submit", "investigation", "statement_submitted"),
        (world.inspector, "suspend", "investigation", "suspended"),
        (world.inspector, "reinstate", "investigation", "reinstated"),
        (world.inspector, "refer", "referred", "referred"),
        (world.judge, "recusal-request", "referred", "recusal_requested"),
        (cm1, "recusal-decide", "referred", "recusal_decided"),
        (cm1, "notice", "notified", "notice_served"),
        (cm1, "hear", "heard", "hearing_held"),
        (cm1, "vote", "heard", "vote_cast"),
        (cm2, "vote", "heard", "vote_cast"),
        (cm3, "vote", "heard", "vote_cast"),
        (cm1, "opinion", "opinion", "opinion_given"),
        (cm1, "serve", "served", "opinion_served"),
        (world.judge, "acknowledge", "served", "opinion_acknowledged"),
        (world.judge, "object", "objected", "objection_filed"),
        (cm2, "objection-decide", "opinion_final", "objection_decided"),
        (world.president, "decide", "decided", "decided"),
        (world.judge, "review-request", "review", "review_requested"),
        (world.president, "review-decide", "reviewed", "review_decided"),
        (world.judge, "appeal", "appeal", "appeal_lodged"),
        (world.high_president, "appeal-extend", "appeal", "appeal_extended"),
        (world.high_president, "appeal-decide", "closed", "appeal_decided"),
    ]
    done = []
    for officer, act, stage, kind in steps:
        before = fresh(proceeding).version
        response = post_act(officer, proceeding, act, body[act])
        assert response.status_code == 200, (act, response.json())
        shown = response.json()
        assert (shown["stage"], shown["version"], shown["events"][-1]["kind"]) == (stage, before + 1, kind), act
        assert shown["events"][-1]["actor"] == officer.officer_id
        done.append(act)

    shown = response.json()
    assert [(s["kind"], s["in_force"]) for s in shown["sanctions"]] == [("warning", True), ("demerit", False)]
    assert shown["members"] == [
        {"officer": officer, "is_judicial": judicial, "recused": False}
        for officer, judicial in (("committee", False), ("cm1", True), ("cm2", True), ("cm3", True))
    ]
    assert shown["recusals"] == [
        {"member": "cm3", "reason": "曾有矛盾", "decision": "refused", "decision_reason": "理由不成立"}
    ]
    assert services.verify_events(fresh(proceeding)) == []

    other = opened(world)  # an investigation closed without referral
    closed = post_act(world.inspector, other, "close", body["close"])
    assert closed.status_code == 200
    assert (closed.json()["stage"], closed.json()["events"][-1]["kind"]) == ("closed", "closed_without_referral")
    done.append("close")
    assert set(done) == set(ACTS)  # every act, each through its own endpoint


def test_the_officer_submits_a_statement_with_evidence_files_as_multipart(world, panel, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    proceeding = opened(world)
    response = post_act(
        world.judge,
        proceeding,
        "submit",
        {"text": "本人陈述", "files": [SimpleUploadedFile("证据.pdf", b"%PDF-1.4 evidence", "application/pdf")]},
        fmt="multipart",
    )
    assert response.status_code == 200, response.json()
    event = response.json()["events"][-1]
    assert (event["kind"], event["note"], [f["name"] for f in event["payload"]["files"]]) == (
        "statement_submitted",
        "本人陈述",
        ["证据.pdf"],
    )
    as_json = post_act(world.judge, proceeding, "submit", {"text": "补充陈述"})
    assert (as_json.status_code, as_json.json()["events"][-1]["payload"]) == (200, {"files": []})


# --- the version and the body ---------------------------------------------------------------------------------


def _referred_with_a_pending_recusal(world, panel) -> Proceeding:
    committee, judges = panel
    proceeding = services.proceeding_refer(
        actor=world.inspector,
        proceeding=opened(world),
        committee=committee,
        members=[world.committee, *judges],
        findings="调查报告",
    )
    member = proceeding.members.get(officer__officer_id="cm3")
    services.recusal_request(actor=world.judge, proceeding=proceeding, member=member, reason="曾有矛盾")
    return fresh(proceeding)


def _state(proceeding: Proceeding) -> tuple:
    p = fresh(proceeding)
    return (
        p.stage,
        p.version,
        p.trace_length,
        p.trace_head,
        p.suspensions.count(),
        p.submissions.count(),
        RecusalRequest.objects.filter(proceeding=p, decision="").count(),
        p.votes.count(),
    )


@pytest.mark.parametrize("act", ACTS)
def test_a_stale_version_is_409_with_both_versions_and_changes_nothing(world, panel, act):
    """The version is checked first, under the lock, before who may act and whether the stage allows it."""
    proceeding = _referred_with_a_pending_recusal(world, panel)
    body = bodies(world, panel[0], timezone.localdate() + dt.timedelta(days=7))[act]
    before = _state(proceeding)
    current = before[1]
    response = post_act(world.inspector, proceeding, act, body, version=current - 1)
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "message": "该惩戒案件已被他人修改，请刷新后重试。",
        "details": {"expected_version": current - 1, "current_version": current},
    }
    assert _state(proceeding) == before


@pytest.mark.parametrize("act", ACTS)
def test_a_missing_expected_version_is_400_naming_the_field(world, panel, act):
    proceeding = _referred_with_a_pending_recusal(world, panel)
    body = bodies(world, panel[0], timezone.localdate() + dt.timedelta(days=7))[act]
    before = _state(proceeding)
    response = client_for(world.inspector).post(
        f"/api/proceedings/{proceeding.public_id}/acts/{act}/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    assert response.json()["details"] == {"expected_version": ["该字段是必填项。"]}
    assert _state(proceeding) == before


def test_an_act_names_each_field_at_fault(world, panel):
    proceeding = _referred_with_a_pending_recusal(world, panel)
    response = post_act(panel[1][0], proceeding, "vote", {"opinion": "harsh", "reason": ["同意"]})
    assert response.status_code == 400
    assert sorted(response.json()["details"]) == ["opinion", "reason"]
    unknown = post_act(
        world.inspector,
        opened(world),
        "refer",
        {**bodies(world, panel[0], timezone.localdate())["refer"], "members": ["committee", "cm1", "nobody"]},
    )
    assert (unknown.status_code, list(unknown.json()["details"])) == (400, ["members"])


def test_the_old_single_acts_endpoint_is_gone(world, panel):
    proceeding = _referred_with_a_pending_recusal(world, panel)
    response = client_for(world.inspector).post(
        f"/api/proceedings/{proceeding.public_id}/acts/", {"act": "serve"}, format="json"
    )
    assert response.status_code == 404


# --- the schema -------------------------------------------------------------------------------------------------


def test_the_schema_lists_every_act_with_its_own_body_and_the_version(world, client):
    client.force_login(world.inspector.user)
    schema = client.get("/api/schema/?format=json").json()
    paths = {p for p in schema["paths"] if p.startswith("/api/proceedings/{id}/acts/")}
    assert paths == {f"/api/proceedings/{{id}}/acts/{act}/" for act in ACTS}
    components = schema["components"]["schemas"]
    bodies_seen = set()
    for act in ACTS:
        operation = schema["paths"][f"/api/proceedings/{{id}}/acts/{act}/"]["post"]
        content = operation["requestBody"]["content"]
        expected_types = ["multipart/form-data", "application/json"] if act == "submit" else ["application/json"]
        assert list(content) == expected_types, act
        reference = content["application/json"]["schema"]["$ref"]
        body = components[reference.rsplit("/", 1)[1]]
        assert "expected_version" in body["required"], act
        assert body["properties"]["expected_version"]["type"] == "integer"
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
            "#/components/schemas/ProceedingDetail"
        )
        assert set(operation["responses"]) >= {"400", "403", "404", "409"}
        bodies_seen.add(reference)
    assert len(bodies_seen) == len(ACTS)  # each act its own body
    assert "/api/proceedings/{id}/acts/" not in schema["paths"]
    decide = components["DecideActRequest"]["properties"]
    assert decide["kind"]["allOf"] == [{"$ref": "#/components/schemas/SanctionKindEnum"}]
    assert components["SanctionKindEnum"]["enum"][:3] == ["none", "self_criticism", "admonishment"]


# --- the page: the same services, and the one handler for refusals --------------------------------------------


def test_the_page_refers_and_serves_the_notice_through_its_forms(world, panel, client):
    committee, judges = panel
    proceeding = opened(world)
    client.force_login(world.inspector.user)
    page = client.get(f"/discipline/{proceeding.public_id}/").content.decode()
    acts = page[page.index('<section class="card" id="acts">') : page.index('<section class="card" id="timeline">')]
    forms = acts.count('<form method="post"')
    assert (forms, acts.count(f'name="expected_version" value="{proceeding.version}"')) == (3, 3)
    response = client.post(
        f"/discipline/{proceeding.public_id}/",
        {
            "act": "refer",
            "committee": committee.pk,
            "members": "committee，cm1, cm2,cm3",
            "findings": "调查报告",
            "expected_version": proceeding.version,
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["已记录。"]
    assert (fresh(proceeding).stage, fresh(proceeding).members.count()) == ("referred", 4)
    client.force_login(judges[0].user)
    hearing_on = timezone.localdate() + dt.timedelta(days=7)
    client.post(
        f"/discipline/{proceeding.public_id}/",
        {
            "act": "notice",
            "hearing_on": hearing_on.isoformat(),
            "notice": "听证通知",
            "expected_version": fresh(proceeding).version,
        },
    )
    assert (fresh(proceeding).stage, fresh(proceeding).hearing_on) == ("notified", hearing_on)


def test_a_refused_act_on_the_page_comes_back_as_a_message_and_changes_nothing(world, panel, client):
    proceeding = _referred_with_a_pending_recusal(world, panel)
    url = f"/discipline/{proceeding.public_id}/"
    client.force_login(panel[1][0].user)
    before = _state(proceeding)
    blank = client.post(url, {"act": "hear", "record": " ", "expected_version": before[1]})
    assert (blank.status_code, blank["Location"]) == (302, url)
    page = client.get(url)
    assert [str(m) for m in page.context["messages"]] == ["请填写听证笔录。"]
    assert '<li class="error">请填写听证笔录。</li>' in page.content.decode()
    stale = client.post(url, {"act": "serve", "expected_version": before[1] - 1}, follow=True)
    assert [str(m) for m in stale.context["messages"]] == ["该惩戒案件已被他人修改，请刷新后重试。"]
    missing = client.post(url, {"act": "serve"}, follow=True)
    assert [str(m) for m in missing.context["messages"]] == ["请刷新页面后重试。"]
    unknown = client.post(url, {"act": "rewrite", "expected_version": before[1]}, follow=True)
    assert [str(m) for m in unknown.context["messages"]] == ["未知的操作。"]
    assert _state(proceeding) == before


def test_the_handler_goes_back_to_a_safe_next_only_and_turns_not_found_into_404(world, client):
    client.force_login(world.inspector.user)
    refused = client.post(
        "/discipline/leads/new/",
        {
            "officer_id": "nobody",
            "source": "complaint",
            "summary": "投诉",
            "next": "/discipline/",
        },
    )
    assert (refused.status_code, refused["Location"]) == (302, "/discipline/")
    page = client.get("/discipline/")
    assert [str(m) for m in page.context["messages"]] == ["没有此姓名或编号的干警（同名时请填写干警编号）。"]
    offsite = client.post(
        "/discipline/leads/new/",
        {
            "officer_id": "nobody",
            "source": "complaint",
            "summary": "投诉",
            "next": "https://evil.example/",
        },
    )
    assert offsite["Location"] == "/discipline/leads/new/"


def test_the_api_and_the_page_do_not_import_each_other():
    root = Path(__file__).resolve().parent.parent / "discipline"

    def imported(name: str) -> set[str]:
        tree = ast.parse((root / name).read_text())
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        return found

    assert not {"discipline.views"} & imported("api.py")
    assert not {"discipline.api"} & imported("views.py")
