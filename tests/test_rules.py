"""The rule library: definitions are validated, every default situation fires on a matching case and not on
a non-matching one, the one-case evaluator and the set-wise SQL agree, and flags are idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accountability import conditions
from accountability.errors import ValidationFailed
from cases import flows, services
from cases.extensions import case_decide_extension, extension_request
from cases.models import Action, Case
from supervision import rules
from supervision import services as supervision
from supervision.default_situations import SITUATIONS
from supervision.models import Flag, Situation, SituationRevision

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 18)  # a Wednesday
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fresh(world, **kwargs) -> Case:
    """An open civil case filed ten days ago, with a 180-day limit, assigned today."""
    kwargs.setdefault("filed_on", TODAY - dt.timedelta(days=10))
    return world.case(**kwargs)


# --- definitions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"field": "case.nonsense", "op": "eq", "value": 1}, "unknown field"),
        ({"field": "case.parties_count", "op": "approx", "value": 1}, "unknown operator"),
        ({"field": "case.cause", "op": "in", "value": "盗窃罪"}, "needs a list"),
        ({"field": "case.claim_amount", "op": "gte", "value": [1]}, "needs a number"),
        ({"all": []}, "non-empty list"),
        ({"all": [{"field": "case.is_open", "op": "eq", "value": True}], "any": []}, "cannot be mixed"),
        ({"field": "case.days_since_activity", "op": "in", "value": [1]}, "only lt, lte"),
        ({"field": "case.cause"}, "exactly 'field', 'op' and 'value'"),
        ([], "must be an object"),
        ({}, "needs a condition"),
    ],
)
def test_a_malformed_rule_is_refused_saying_what_is_wrong(condition, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            rules.validate(condition, automatic=True)
        assert message in " ".join(caught.value.messages)


def test_every_default_situation_is_valid_and_there_are_at_least_twenty():
    assert len(SITUATIONS) >= 20
    for situation in Situation.objects.all():
        rules.validate(situation.condition, automatic=situation.is_automatic)
        assert SituationRevision.objects.filter(situation=situation, revision=situation.revision).exists()
    families = set(Situation.objects.values_list("family", "category").distinct())
    assert {("four_category", c) for c in ("major", "group", "conflict", "reported")} <= families
    assert ("risk_point", "") in families


# --- each default situation, both ways ----------------------------------------------------------------

#: For each automatic default situation: case fields that match it, and fields that come close but do not.
MATCHING = {
    "M-05": ({"case_type": "criminal", "cause": "间谍罪"}, {"case_type": "criminal", "cause": "盗窃罪"}),
    "M-06": ({"claim_amount": Decimal("100000000")}, {"claim_amount": Decimal("99999999.99")}),
    "M-07": ({"case_type": "criminal", "cause": "故意杀人罪"}, {"case_type": "civil", "cause": "故意杀人罪"}),
    "M-08": (
        {"case_type": "administrative", "parties": "张三诉上海市黄浦区人民政府"},
        {"case_type": "administrative", "parties": "张三诉上海市黄浦区市场监督管理局"},
    ),
    "M-09": ({"procedure": "retrial"}, {"procedure": "second_instance"}),
    "G-02": ({"parties_count": 10}, {"parties_count": 9}),
    "G-03": ({"case_type": "criminal", "cause": "集资诈骗罪"}, {"case_type": "criminal", "cause": "诈骗罪"}),
    "G-04": ({"cause": "追索劳动报酬纠纷", "parties_count": 5}, {"cause": "追索劳动报酬纠纷", "parties_count": 4}),
    "G-08": ({"case_type": "public_interest"}, {"case_type": "civil"}),
    # time-based: filed 145 of 180 days ago is 80.5 %, 143 is 79 %
    "RP-01": ({"filed_on": TODAY - dt.timedelta(days=145)}, {"filed_on": TODAY - dt.timedelta(days=143)}),
    "RP-02": ({"filed_on": TODAY - dt.timedelta(days=181)}, {"filed_on": TODAY - dt.timedelta(days=180)}),
    "RP-03": (
        {"filed_on": TODAY - dt.timedelta(days=366), "time_limit_days": 0},
        {"filed_on": TODAY - dt.timedelta(days=365), "time_limit_days": 0},
    ),
    # assigned on the day, nothing served: 送达起诉状副本 (5 days from filing) is past due on day 6, not on day 5
    "RP-06": ({"filed_on": TODAY - dt.timedelta(days=6)}, {"filed_on": TODAY - dt.timedelta(days=5)}),
}


def test_every_automatic_default_situation_has_a_matching_and_a_non_matching_case_below():
    automatic = set(Situation.objects.filter(kind="automatic").values_list("code", flat=True))
    # RP-SIM fires on a 偏离预警 found by similar-case search: tests/test_similar_deviation.py makes its cases
    # PRP-01/02 are RP-01/02 over a procuratorate's cases: test_a_situation_of_one_kind_fires_on_that_kind_only
    assert automatic == set(MATCHING) | {"RP-04", "RP-05", "RP-SIM", "PRP-01", "PRP-02"}


@pytest.mark.parametrize("code", sorted(MATCHING))
def test_default_situation_fires_on_a_matching_case_only(frozen, world, code):
    situation = Situation.objects.get(code=code)
    yes, no = (fresh(world, **fields) for fields in MATCHING[code])
    for case, expected in ((yes, True), (no, False)):
        facts = rules.case_facts(case.pk)
        assert conditions.evaluate(situation.rule, facts) is expected, (code, case, facts)
    assert set(rules.rule_queryset(situation.rule).filter(pk__in=[yes.pk, no.pk])) == {yes}
    flags = supervision.detect_for_case(yes.pk, situations=[situation])
    assert [f.situation.code for f in flags] == [code]
    assert supervision.detect_for_case(no.pk, situations=[situation]) == []


def test_a_situation_of_one_kind_fires_on_that_kind_only(frozen, world):
    """超审限未结 (RP-02) is a court's; a procuratorate's overdue case raises 超过办案期限未结 (PRP-02), in the
    sweep and on the case's own events alike; a manual situation of the other kind cannot be raised on it."""
    from accountability.models import Organisation

    court_rule, own_rule = Situation.objects.get(code="RP-02"), Situation.objects.get(code="PRP-02")
    assert (court_rule.organisation_kinds, own_rule.organisation_kinds) == (["court"], ["procuratorate"])
    overdue = fresh(world, filed_on=TODAY - dt.timedelta(days=181))
    assert [f.situation.code for f in supervision.detect_for_case(overdue.pk, situations=[court_rule, own_rule])] == [
        "RP-02"
    ]
    Organisation.objects.filter(pk=world.court.pk).update(kind="procuratorate")
    again = fresh(world, filed_on=TODAY - dt.timedelta(days=181))
    assert set(rules.rule_queryset(court_rule.rule).filter(pk__in=[overdue.pk, again.pk])) == set()
    assert supervision.sweep(situations=[court_rule, own_rule]) == {"RP-02": 0, "PRP-02": 2}
    assert Flag.objects.get(case=again, situation__code__startswith="P").facts["case.days_over_limit"] == 1
    again.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        supervision.flag_raise(
            actor=world.judge, case=again, situation=Situation.objects.get(code="R-02"), reason="投诉"
        )
    assert "situation" in refused.value.details


def test_facts_of_some_fields_equal_those_of_all_and_follow_the_day(world):
    case = fresh(world, filed_on=TODAY - dt.timedelta(days=40))
    some = ["case.cause", "case.days_pending", "case.days_since_activity", "case.organisation_level"]
    with time_machine.travel(NOW, tick=False):
        every = rules.case_facts(case.pk)
        assert rules.case_facts(case.pk, fields=some) == {name: every[name] for name in some}
    with time_machine.travel(NOW + dt.timedelta(days=10), tick=False):  # the cached query is per day
        assert rules.case_facts(case.pk, fields=some)["case.days_pending"] == every["case.days_pending"] + 10
    with pytest.raises(Case.DoesNotExist):
        rules.case_facts(case.pk + 10_000, fields=some)


def test_cold_case_rule_counts_days_since_the_last_human_action(world):
    with time_machine.travel(NOW - dt.timedelta(days=91), tick=False):
        cold = fresh(world, filed_on=TODAY - dt.timedelta(days=100))
    with time_machine.travel(NOW - dt.timedelta(days=89), tick=False):
        warm = fresh(world, filed_on=TODAY - dt.timedelta(days=100))
    situation = Situation.objects.get(code="RP-04")
    with time_machine.travel(NOW, tick=False):
        assert rules.case_facts(cold.pk)["case.days_since_activity"] == 91
        assert {c.pk for c in rules.rule_queryset(situation.condition).filter(pk__in=[cold.pk, warm.pk])} == {cold.pk}
        supervision.detect_for_case(cold.pk)
        # the system's own alert is not activity: the case stays cold
        assert rules.case_facts(cold.pk)["case.days_since_activity"] == 91


def test_a_second_extension_request_raises_the_risk_alert_on_the_event(
    frozen, world, django_capture_on_commit_callbacks
):
    case = fresh(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
        case_decide_extension(actor=world.president, request=first, approve=True)
    assert not Flag.objects.filter(case=case, situation__code="RP-05").exists()
    with django_capture_on_commit_callbacks(execute=True) as scheduled:
        extension_request(actor=world.judge, case=case, days=30, reason="再次申请")
    assert len(scheduled) == 1  # detection runs after commit, by Celery
    flag = Flag.objects.get(case=case, situation__code="RP-05")
    assert flag.facts == {"case.is_open": True, "case.extension_requests": 2}
    assert "两次以上申请延长审限" in flag.reason
    raised = Action.objects.filter(case=case, action_type="risk_alert_raised", payload__situation="RP-05").get()
    revision = Situation.objects.get(code="RP-05").revision  # 2: made a court's (procuratorate 0006)
    assert (raised.source, raised.actor, raised.payload["situation_revision"]) == ("system", None, revision)


def test_filing_a_case_runs_the_rules(frozen, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_file(
            actor=world.filing,
            case_number="（2026）沪0101民初9001号",
            organisation=world.court,
            department=world.civil,
            case_type="civil",
            procedure="first_instance",
            filed_on=TODAY,
            parties_count=12,
            time_limit_days=180,
        )
    assert list(Flag.objects.filter(case=case).values_list("situation__code", "status")) == [("G-02", "pending")]


# --- the two evaluators agree -----------------------------------------------------------------------

PARITY = [
    {"field": "case.parties_count", "op": "eq", "value": None},
    {"field": "case.parties_count", "op": "ne", "value": 10},
    {"field": "case.parties_count", "op": "lt", "value": 10},
    {"field": "case.parties_count", "op": "lte", "value": 10},
    {"field": "case.parties_count", "op": "gt", "value": 10},
    {"field": "case.claim_amount", "op": "gte", "value": 1000.5},
    {"field": "case.cause", "op": "in", "value": ["盗窃罪", "民间借贷纠纷"]},
    {"field": "case.cause", "op": "not_in", "value": ["盗窃罪"]},
    {"field": "case.parties", "op": "contains", "value": "公司"},
    {"field": "case.claim_amount", "op": "is_null", "value": True},
    {"field": "case.has_original_case", "op": "eq", "value": False},
    {"field": "case.organisation_level", "op": "eq", "value": "basic"},
    {"not": {"field": "case.case_type", "op": "eq", "value": "criminal"}},
    {
        "any": [
            {"field": "case.parties_count", "op": "gte", "value": 10},
            {"field": "case.cause", "op": "eq", "value": "盗窃罪"},
        ]
    },
    {
        "all": [
            {"field": "case.is_open", "op": "eq", "value": True},
            {"field": "case.days_pending", "op": "gte", "value": 10},
        ]
    },
    {"field": "case.limit_percent_used", "op": "lt", "value": 50},
    {"field": "case.days_over_limit", "op": "is_null", "value": True},
    {"field": "case.days_since_activity", "op": "lte", "value": 0},
    {"field": "case.days_since_activity", "op": "eq", "value": 0},
    {"field": "case.extension_requests", "op": "eq", "value": 0},
    {"field": "case.nodes_overdue", "op": "gte", "value": 1},
    {"field": "case.nodes_overdue", "op": "eq", "value": 2},
    {"field": "case.nodes_overdue", "op": "eq", "value": 0},
]


@pytest.mark.parametrize("condition", PARITY, ids=[str(i) for i in range(len(PARITY))])
def test_sql_and_python_evaluation_agree(frozen, world, condition):
    """The one-case query and the set-wise query agree; for ``case.nodes_overdue`` both also agree with the flow
    read in Python (``cases.flows.risk_overdue_nodes``)."""
    rules.validate(condition, automatic=True)
    cases = [
        fresh(world),
        fresh(world, parties_count=10, cause="盗窃罪", case_type="criminal", parties="某公司"),
        fresh(world, parties_count=12, claim_amount=Decimal("1000.50"), time_limit_days=0),
        fresh(world, parties_count=3, claim_amount=Decimal("1000.49"), filed_on=TODAY - dt.timedelta(days=120)),
        fresh(world, filed_on=TODAY - dt.timedelta(days=3)),
        fresh(world, filed_on=TODAY - dt.timedelta(days=100)),  # 送达 and 开庭 overdue
        fresh(world, case_type="enforcement", procedure="enforcement", filed_on=TODAY - dt.timedelta(days=30)),
        fresh(world, case_type="public_interest", filed_on=TODAY - dt.timedelta(days=200)),  # no flow
    ]
    services.case_log_action(actor=world.judge, case=cases[3], action_type="served", note="送达起诉状副本")
    ids = [c.pk for c in cases]
    by_sql = set(rules.rule_queryset(condition).filter(pk__in=ids).values_list("pk", flat=True))
    by_python = {pk for pk in ids if conditions.evaluate(condition, rules.case_facts(pk))}
    assert by_sql == by_python
    if "nodes_overdue" in str(condition):
        counted = [rules.case_facts(c.pk, fields=["case.nodes_overdue"])["case.nodes_overdue"] for c in cases]
        assert counted == [len(flows.risk_overdue_nodes(c)) for c in cases] == [1, 1, 1, 1, 0, 2, 1, 0]


# --- idempotence and revisions ------------------------------------------------------------------------


def test_flags_are_idempotent_and_a_dismissal_holds_until_the_rule_changes(frozen, world):
    case = fresh(world, parties_count=15)
    other = fresh(world, parties_count=15)
    g02 = Situation.objects.get(code="G-02")
    first = supervision.sweep(situations=[g02])
    assert first == {"G-02": 2}
    assert supervision.sweep(situations=[g02]) == {"G-02": 0}
    assert supervision.detect_for_case(case.pk, situations=[g02]) == []  # (its 送达 is overdue: RP-06 is raised)
    assert Flag.objects.filter(situation=g02).count() == 2
    flag = Flag.objects.get(case=case, situation=g02)
    supervision.flag_decide(actor=world.chief, flag=flag, confirm=False, reason="系同一借款合同的共同借款人")
    assert supervision.sweep(situations=[g02]) == {"G-02": 0}  # the same revision does not raise it again
    g02.condition = {"all": [{"field": "case.parties_count", "op": "gte", "value": 12}]}
    g02 = supervision.situation_save(situation=g02)
    assert g02.revision == 2
    assert supervision.sweep(situations=[g02]) == {"G-02": 1}  # a new revision looks again
    assert Flag.objects.get(case=case, status="pending").situation_revision == 2
    assert Flag.objects.filter(case=other).count() == 1
    # the sweep's batch wrote chained actions: the chain still verifies
    from cases.audit import verify_chains

    assert verify_chains() == []


def test_saving_an_unchanged_situation_keeps_its_revision_and_a_bad_one_is_refused(world):
    from accountability.errors import ValidationFailed

    situation = Situation.objects.get(code="G-02")
    assert supervision.situation_save(situation=situation).revision == 1
    situation.condition = {"field": "case.parties_count", "op": "gte"}
    with pytest.raises(ValidationFailed) as caught:
        supervision.situation_save(situation=situation)
    assert "field', 'op' and 'value'" in caught.value.details["condition"][0]
    assert Situation.objects.get(code="G-02").revision == 1


def test_simulation_lists_the_cases_a_draft_rule_would_flag_and_writes_nothing(frozen, world):
    fresh(world, parties_count=30)
    fresh(world, parties_count=2)
    before = (Flag.objects.count(), Action.objects.count())
    result = supervision.simulate({"field": "case.parties_count", "op": "gte", "value": 20})
    assert result["count"] == 1
    assert "30" in result["cases"][0]["explanation"]
    assert (Flag.objects.count(), Action.objects.count()) == before


def test_the_sweep_is_one_query_per_rule_whatever_the_number_of_cases(frozen, world):
    for _ in range(5):
        fresh(world, parties_count=2)
    rule = Situation.objects.get(code="G-02")
    with CaptureQueriesContext(connection) as ctx:
        rules.rule_matches(rule.condition, ~supervision._blocked(rule))
    # one query, and on PostgreSQL the setting that spares it the JIT compilation (``accountability.sql.jit_off``)
    assert len([q for q in ctx.captured_queries if not q["sql"].startswith("SET LOCAL jit")]) == 1
    assert timezone.now() == NOW
