"""偏离预警 (issue 22): a decided case whose outcome lies outside the band of its most similar cases gets a risk
alert, to the judge and through supervision's rules (situation RP-SIM); the rule is data, simulated before it
is switched on; another court's cases are never the comparison."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from accountability.models import Notification, OutboxMessage
from cases.models import Case
from similar import hooks as similar_hooks
from similar import services as similar
from similar.models import Deviation, DeviationRule
from supervision import rules
from supervision import services as supervision
from supervision.models import Flag, Situation

FACTS = "借款人向出借人借款十万元，约定月利率百分之一，到期后借款人未归还本金，出借人诉请归还借款本金并支付利息。"


def decided_loan(world, number, share, *, court=None, claim=100000):
    court = court or world.court
    extra = {} if court == world.court else {"department": None, "lead_officer": None, "panel": []}
    case = world.case(case_number=number, cause="民间借贷纠纷", organisation=court, **extra)
    Case.objects.filter(pk=case.pk).update(
        facts_summary=FACTS,
        closed_on=dt.date.today() - dt.timedelta(days=10),
        claim_amount=Decimal(claim),
        awarded_amount=Decimal(claim) * Decimal(str(share)),
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def loans(world):
    made = [decided_loan(world, f"（2025）沪0101民初{700 + i}号", (0.80, 0.85, 0.90)[i % 3]) for i in range(12)]
    foreign = [decided_loan(world, f"（2025）苏0102民初{800 + i}号", 0.2, court=world.other_court) for i in range(12)]
    outlier = decided_loan(world, "（2025）沪0101民初799号", 0.2)
    usual = decided_loan(world, "（2025）沪0101民初798号", 0.85)
    similar.index_cases([c.pk for c in [*made, *foreign, outlier, usual]], push=False)
    return {"outlier": outlier, "usual": usual, "foreign": foreign}


@pytest.fixture
def rule(world):  # the world puts the reference data back after a flushing test
    return DeviationRule.objects.get(code="DEV-01")


def test_the_rule_is_data_and_starts_switched_off(rule):
    assert not rule.is_active and rule.metric == "awarded_share"
    assert (rule.neighbours, rule.minimum, rule.low_percentile, rule.high_percentile) == (20, 8, 5, 95)
    assert Situation.objects.get(code="RP-SIM").is_automatic


def test_simulation_shows_what_the_rule_would_flag_and_writes_nothing(world, loans, rule):
    result = similar.deviation_simulate(rule)
    assert [c["case_number"] for c in result["cases"]] == [loans["outlier"].case_number]
    assert result["judged"] == 26 and result["outside"] == 1  # each court's cases against its own
    assert not Deviation.objects.exists() and not Flag.objects.filter(situation__code="RP-SIM").exists()
    assert result["cases"][0]["value"] == 0.2 and result["cases"][0]["low"] == 0.8  # never the other court's 0.2


def test_an_active_rule_alerts_the_judge_and_raises_the_supervision_alert(
    world, loans, rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        similar.deviation_rule_activate(rule=rule)
        assert similar.deviation_compute([loans["outlier"].pk, loans["usual"].pk]) == 1
    assert Deviation.objects.get(case=loans["outlier"]).outside
    assert not Deviation.objects.get(case=loans["usual"]).outside
    told = Notification.objects.filter(recipient=loans["outlier"].lead_officer)
    assert told.filter(message__contains=loans["outlier"].case_number).exists()
    flag = Flag.objects.get(situation__code="RP-SIM")
    assert flag.case_id == loans["outlier"].pk  # through supervision's rules, which tell the division chief
    with django_capture_on_commit_callbacks(execute=True):
        assert similar.deviation_compute([loans["outlier"].pk]) == 0  # already outside: nothing new


def test_supervisions_simulation_sees_the_fact(world, loans, rule):
    similar.deviation_rule_activate(rule=rule)
    similar.deviation_compute([loans["outlier"].pk])
    condition = Situation.objects.get(code="RP-SIM").condition
    assert [c["case_number"] for c in supervision.simulate(condition)["cases"]] == [loans["outlier"].case_number]


def test_too_few_similar_cases_judge_nothing(world, rule):
    lonely = decided_loan(world, "（2025）沪0101民初600号", 0.1)
    similar.index_cases([lonely.pk], push=False)
    similar.deviation_rule_activate(rule=rule)
    assert similar.deviation_compute([lonely.pk]) == 0 and not Deviation.objects.exists()


def test_the_command_simulates_then_activates(world, loans, rule, capsys):
    call_command("simulate_deviation", "DEV-01")
    assert loans["outlier"].case_number in capsys.readouterr().out
    assert not DeviationRule.objects.get(code="DEV-01").is_active
    call_command("simulate_deviation", "DEV-01", "--activate")
    assert DeviationRule.objects.get(code="DEV-01").is_active
    with pytest.raises(Exception, match="no deviation rule 'NOPE'"):
        call_command("simulate_deviation", "NOPE")


def test_the_percentile_interpolates():
    assert similar.percentile([1, 2, 3, 4, 5], 50) == 3
    assert similar.percentile([0, 10], 5) == pytest.approx(0.5)


def test_a_decided_case_is_compared_in_the_background_only_while_a_rule_is_active(world, loans, rule):
    similar.index_cases([loans["outlier"].pk])  # as closing or an import does
    assert not OutboxMessage.objects.filter(task=similar.PUSH_TASK).exists()  # no rule: no push for decided cases
    similar.deviation_rule_activate(rule=rule)
    similar.index_cases([loans["outlier"].pk])
    assert OutboxMessage.objects.filter(task=similar.PUSH_TASK, args=[[loans["outlier"].pk]]).exists()


def test_similar_registers_its_rule_fact_through_supervisions_register(monkeypatch, world, loans):
    assert rules.FIELDS["case.outcome_deviates"].expression is similar_hooks.outcome_deviates
    monkeypatch.setattr(rules, "FIELDS", dict(rules.FIELDS))  # what this test registers goes with it
    rules.register_field("case.outcome_deviates", "again", similar_hooks.outcome_deviates)  # the same: harmless
    with pytest.raises(ValueError, match="already defined"):
        rules.register_field("case.outcome_deviates", "other", lambda today: None)
    with pytest.raises(ValueError, match="case.<fact>"):
        rules.register_field("outcome_deviates", "no prefix", similar_hooks.outcome_deviates)
    with pytest.raises(ValueError, match="function"):
        rules.register_field("case.constant", "not callable", True)
    # a registered fact is a fact like the others: both evaluators, one case and every case, read it
    similar.deviation_rule_activate(rule=DeviationRule.objects.get(code="DEV-01"))
    similar.deviation_compute([loans["outlier"].pk, loans["usual"].pk])
    rules.register_field("case.deviates_again", "copy", similar_hooks.outcome_deviates)
    condition = {"all": [{"field": "case.deviates_again", "op": "eq", "value": True}]}
    assert list(rules.rule_queryset(condition).values_list("pk", flat=True)) == [loans["outlier"].pk]
    assert rules.case_facts(loans["outlier"].pk, fields=["case.deviates_again"]) == {"case.deviates_again": True}
    assert rules.case_facts(loans["usual"].pk, fields=["case.deviates_again"]) == {"case.deviates_again": False}
