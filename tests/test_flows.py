"""Process nodes (流程节点): a case walked through its flow shows each node's state, due date and reached date; the two
送达 nodes are distinct; the flow costs one query once the nodes are cached; a node past its deadline raises the risk
alert 流程节点超期 (RP-06) on an event and in the nightly sweep, computed by the same SQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cases import flows, services
from cases.flows import case_flow, missing_required_nodes
from cases.models import Action, Case, FlowNode
from supervision import rules
from supervision import services as supervision
from supervision.models import Flag, Situation

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D0 = dt.date(2026, 3, 2)  # a Monday: the filing date of the walked case


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(D0 + dt.timedelta(days=day), dt.time(hour), tzinfo=SHANGHAI)


def on(day: int) -> dt.date:
    return D0 + dt.timedelta(days=day)


@pytest.fixture(autouse=True)
def fresh_flow_cache():
    flows.flow_cache_clear()
    yield
    flows.flow_cache_clear()  # a test that edits a node leaves no stale cache to the next one


def filed(world, **kwargs) -> Case:
    """A civil first-instance case filed on D0 and assigned the same morning (lead 王法官)."""
    with time_machine.travel(at(0, 9), tick=False):
        return world.case(filed_on=D0, **kwargs)


def log(world, case: Case, action_type: str, day: int, actor=None) -> Action:
    with time_machine.travel(at(day), tick=False):
        return services.case_log_action(actor=actor or world.judge, case=case, action_type=action_type, note="")


def states(case: Case, day: int) -> dict[str, tuple]:
    """code -> (state, due date, reached date, current) as seen on ``day``."""
    case = Case.objects.get(pk=case.pk)
    with time_machine.travel(at(day), tick=False):
        return {s.code: (s.state, s.due_on, s.reached_on, s.current) for s in case_flow(case)}


def test_a_case_walked_through_its_nodes(world):
    case = filed(world)
    assert states(case, 0) == {
        "filed": ("reached", None, on(0), False),  # filed without a ``filed`` action: reached on the filing date
        "assigned": ("reached", on(3), on(0), False),
        "service": ("due", on(5), None, True),
        "evidence": ("due", on(30), None, False),
        "pretrial": ("not_yet", None, None, False),
        "hearing": ("due", on(90), None, False),
        "deliberation": ("not_yet", None, None, False),  # counted from the hearing, not held yet
        "signing": ("not_yet", None, None, False),
        "delivery": ("not_yet", None, None, False),
        "closed": ("due", on(180), None, False),  # the end of the time limit
        "archived": ("not_yet", None, None, False),
    }
    assert states(case, 5)["service"] == ("due", on(5), None, True)  # due on its last day
    assert states(case, 6)["service"] == ("overdue", on(5), None, True)

    log(world, case, "served", 7)  # late: the first 送达 is reached, the second is not
    now = states(case, 7)
    assert now["service"] == ("reached", on(5), on(7), False)
    assert now["delivery"] == ("not_yet", None, None, False)
    assert now["evidence"][3] is True  # the current node: the first one not reached after the last reached
    assert [s.late for s in case_flow(Case.objects.get(pk=case.pk)) if s.code == "service"] == [True]

    log(world, case, "hearing_held", 40)
    now = states(case, 41)
    assert now["hearing"] == ("reached", on(90), on(40), False)
    assert now["deliberation"] == ("due", on(50), None, True)  # 10 days from the hearing
    assert states(case, 51)["deliberation"] == ("overdue", on(50), None, True)

    log(world, case, "deliberated", 51)
    log(world, case, "served", 52)  # a service before the ruling is signed is not the ruling's delivery
    log(world, case, "ruling_signed", 55)
    now = states(case, 56)
    assert now["signing"] == ("reached", on(61), on(55), False)
    assert now["delivery"] == ("due", on(65), None, True)
    log(world, case, "served", 60)
    now = states(case, 60)
    assert now["delivery"] == ("reached", on(65), on(60), False)
    assert now["closed"] == ("due", on(180), None, True)
    assert missing_required_nodes(Case.objects.get(pk=case.pk)) == []


def test_on_a_closed_case_a_node_not_reached_before_closing_is_skipped_never_due_or_overdue(world):
    case = filed(world)
    for action_type, day in (("served", 1), ("hearing_held", 20), ("deliberated", 21), ("ruling_signed", 22)):
        log(world, case, action_type, day)
    log(world, case, "served", 23)
    with time_machine.travel(at(24), tick=False):
        services.case_close(actor=world.judge, case=case, closed_on=on(24), closing_method="judgment")
    later = states(case, 60)  # the evidence period (due on day 30) would be overdue on an open case
    assert later["evidence"] == ("skipped", None, None, False)
    assert later["pretrial"] == ("skipped", None, None, False)
    assert later["closed"] == ("reached", on(180), on(24), False)
    assert later["archived"] == ("due", on(114), None, True)  # 90 days from closing: still to be done
    with time_machine.travel(at(200), tick=False):  # past every deadline but the archiving's, 90 days from closing
        flow = case_flow(Case.objects.get(pk=case.pk))
    assert {s.code: str(s.state_label) for s in flow if s.code in ("evidence", "archived")} == {
        "evidence": "未进行",
        "archived": "已超期",
    }
    assert [s.code for s in flows.overdue_nodes(Case.objects.get(pk=case.pk), flow=flow)] == ["archived"]


def test_missing_required_nodes_are_those_before_closing_in_flow_order(world):
    case = filed(world)
    log(world, case, "served", 1)
    with time_machine.travel(at(2), tick=False):
        missing = missing_required_nodes(Case.objects.get(pk=case.pk))
    # 举证期限 and 庭前会议 are optional; 归档 comes after closing
    assert [n.code for n in missing] == ["hearing", "deliberation", "signing", "delivery"]
    assert [n.name for n in missing] == ["开庭审理", "合议", "裁判文书签署", "裁判文书送达"]


def test_the_closing_node_is_due_at_the_end_of_the_limit_with_extension_and_excluded_days(world):
    case = filed(world)
    Case.objects.filter(pk=case.pk).update(extension_days=30, excluded_days=5)
    assert states(case, 1)["closed"][1] == on(215)
    Case.objects.filter(pk=case.pk).update(time_limit_days=0, extension_days=0, excluded_days=0)
    assert states(case, 1)["closed"][:2] == ("not_yet", None)  # no statutory limit, no due date


def test_a_case_type_without_a_standard_flow_has_none(world):
    case = filed(world, case_type="public_interest")
    assert case_flow(case) == []
    assert missing_required_nodes(case) == []


def test_the_flow_costs_one_query_once_the_nodes_are_cached(world, django_assert_num_queries):
    case = filed(world)
    with django_assert_num_queries(2):  # the nodes (then kept), the case's actions
        case_flow(case)
    with django_assert_num_queries(1):
        case_flow(case)
    other = filed(world, case_type="criminal", department=world.criminal, lead_officer=world.criminal_chief)
    with django_assert_num_queries(1):  # all flows are loaded at once
        case_flow(other)


def test_editing_a_node_in_the_admin_takes_effect_at_once_in_the_flow_and_the_rules(world):
    case = filed(world)
    with time_machine.travel(at(10), tick=False):
        assert states(case, 10)["service"][0] == "overdue"
        assert rules.case_facts(case.pk, fields=["case.nodes_overdue"]) == {"case.nodes_overdue": 1}
        node = FlowNode.objects.get(case_type="civil", procedure="first_instance", code="service")
        node.deadline_days = 20
        node.save()
        assert states(case, 10)["service"] == ("due", on(20), None, True)
        assert rules.case_facts(case.pk, fields=["case.nodes_overdue"]) == {"case.nodes_overdue": 0}


# --- the risk alert ------------------------------------------------------------------------------------------


def test_an_overdue_node_raises_the_risk_alert_on_an_event(world, django_capture_on_commit_callbacks):
    case = filed(world)
    with time_machine.travel(at(8), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.case_log_action(actor=world.judge, case=case, action_type="suspended", note="等待鉴定")
    flag = Flag.objects.get(case=case, situation__code="RP-06")
    assert flag.facts == {"case.is_open": True, "case.nodes_overdue": 1}
    assert "流程节点超期" in flag.reason
    raised = Action.objects.get(case=case, action_type="risk_alert_raised")
    assert (raised.source, raised.actor, raised.payload["situation"]) == ("system", None, "RP-06")


def test_the_sweep_raises_it_on_every_case_with_an_overdue_node_and_only_those(world):
    late = filed(world)
    served = filed(world)
    log(world, served, "served", 2)
    closed = filed(world)
    Case.objects.filter(pk=closed.pk).update(closed_on=on(4), closing_method="withdrawal")
    rp06 = Situation.objects.get(code="RP-06")
    with time_machine.travel(at(30), tick=False):
        assert supervision.sweep(situations=[rp06]) == {"RP-06": 1}
        assert supervision.sweep(situations=[rp06]) == {"RP-06": 0}  # idempotent
    assert list(Flag.objects.filter(situation=rp06).values_list("case_id", "facts")) == [
        (late.pk, {"case.is_open": True, "case.nodes_overdue": 1})
    ]
    with time_machine.travel(at(95), tick=False):  # 开庭审理 (90 days) is now overdue on the served case too
        assert rules.case_facts(served.pk, fields=["case.nodes_overdue"]) == {"case.nodes_overdue": 1}
        assert rules.case_facts(late.pk, fields=["case.nodes_overdue"]) == {"case.nodes_overdue": 2}
        assert supervision.sweep(situations=[rp06]) == {"RP-06": 1}
    assert timezone.now() != at(95)
