"""Power-list decisions for each role, allowed and refused, naming the deciding item."""

from __future__ import annotations

import datetime as dt

import pytest

from accountability import conditions
from accountability.choices import ActionType, RoleCode, action_type_choices
from accountability.errors import ValidationFailed
from accountability.models import PowerItem, PowerItemRevision
from accountability.powers import fact_fields, power_decide
from accountability.services import power_item_save

pytestmark = pytest.mark.django_db


def decide(officer, action, case):
    return power_decide(officer=officer, action_type=action, case=case)


@pytest.mark.parametrize(
    ("who", "action", "allowed", "item"),
    [
        ("judge", "hearing_held", True, "JUD-02"),
        ("judge", "ruling_signed", True, "JUD-09"),
        ("judge", "closed", True, "JUD-11"),
        ("judge2", "ruling_signed", True, "JUD-09"),
        ("judge2", "closed", False, None),  # a panel member signs but does not close: only the lead does
        ("assistant", "evidence_exchanged", True, "AST-01"),
        ("assistant", "hearing_scheduled", True, "AST-02"),
        ("assistant", "ruling_signed", False, "AST-N1"),
        ("clerk", "served", True, "CLK-01"),
        ("clerk", "deliberated", False, "CLK-N1"),
        ("chief", "extension_approved", True, "CHF-02"),
        ("chief", "panel_decision_changed", False, "CHF-N1"),
        ("chief", "ruling_signed", False, "CHF-N2"),  # a judge by role, but did not hear this case
        ("president", "supervision_comment", False, "PRE-N3"),  # no four-category flag: test_supervision_bounds
        ("president", "panel_decision_changed", False, "PRE-N1"),
        ("president", "ruling_signed", False, "PRE-N2"),
        ("high_president", "supervision_comment", False, "PRE-N3"),  # in scope (subordinate court), not four-category
        ("filing", "assigned", True, "CMO-02"),
        ("evaluator", "quality_review", False, None),  # case still open: no positive item matches
        ("admin", "ruling_signed", False, "ADM-N1"),
        ("other_judge", "hearing_held", False, None),
        ("other_chief", "extension_approved", False, None),
        ("criminal_chief", "extension_approved", False, None),  # another department's case
    ],
)
def test_decisions_on_an_open_case(world, who, action, allowed, item):
    case = world.case()
    decision = decide(getattr(world, who), action, case)
    assert (decision.allowed, decision.item_code) == (allowed, item)


def test_a_leader_who_sits_on_the_panel_may_sign(world):
    case = world.case()
    from cases.models import CaseParticipant

    CaseParticipant.objects.create(case=case, officer=world.president, role="panel")
    case = type(case).objects.prefetch_related("participants").get(pk=case.pk)
    decision = decide(world.president, ActionType.RULING_SIGNED, case)
    assert (decision.allowed, decision.item_code) == (True, "JUD-09")


def test_closed_case_refuses_case_work_but_allows_review(world):
    case = world.case(closed_on=dt.date(2024, 3, 1), closing_method="judgment")
    assert decide(world.judge, "hearing_held", case).allowed is False
    review = decide(world.evaluator, "quality_review", case)
    assert (review.allowed, review.item_code) == (True, "EVA-01")


def test_evaluator_who_took_part_is_refused_by_the_negative_item(world):
    from cases.models import CaseParticipant

    case = world.case(closed_on=dt.date(2024, 3, 1), closing_method="judgment")
    CaseParticipant.objects.create(case=case, officer=world.evaluator, role="assistant")
    case = type(case).objects.prefetch_related("participants").get(pk=case.pk)
    decision = decide(world.evaluator, "quality_review", case)
    assert (decision.allowed, decision.item_code) == (False, "EVA-N1")


def test_non_quota_panel_member_cannot_sign(world):
    case = world.case(lead_officer=world.judge2)  # judge sits on the panel
    world.judge.is_quota = False
    world.judge.save()
    decision = decide(world.judge, "ruling_signed", case)
    assert (decision.allowed, decision.item_code, decision.facts["actor.participation"]) == (False, None, "panel")


def test_disabled_account_is_refused(world):
    case = world.case()
    world.judge.user.is_active = False
    world.judge.user.save()
    decision = decide(world.judge, "hearing_held", case)
    assert (decision.allowed, decision.item) == (False, None)


def test_default_list_covers_every_role_and_action_type():
    items = PowerItem.objects.all()
    assert {i.role_id for i in items} == set(RoleCode.values)
    assert {i.action_type for i in items} == set(ActionType.values)
    # panel_decision_changed appears only on the negative list, for everyone who could try it
    assert {i.effect for i in items if i.action_type == "panel_decision_changed"} == {"deny"}
    # every item has its revisions, up to the one in force (the procuratorate retitled PRO-01…23 in a second one)
    assert PowerItemRevision.objects.values("item").distinct().count() == items.count()
    assert set(PowerItemRevision.objects.values_list("item_id", "revision")) >= {(i.pk, i.revision) for i in items}


def test_every_default_condition_asks_only_for_declared_facts():
    """``case.is_four_category`` (supervision), ``case.requires_search_report`` (similar cases) … are registered."""
    for item in PowerItem.objects.all():
        conditions.validate(item.conditions, fields=fact_fields())
    assert "case.is_four_category" in fact_fields()


def test_action_types_are_checked_against_the_callable_so_a_new_type_needs_no_migration():
    field = PowerItem._meta.get_field("action_type")
    assert field.deconstruct()[3]["choices"] is action_type_choices  # the migration names the function
    assert [value for value, _label in field.choices] == ActionType.values
    item = PowerItem.objects.get(code="JUD-02")
    item.action_type = "not_a_type"
    with pytest.raises(ValidationFailed) as excinfo:
        power_item_save(item=item)
    assert list(excinfo.value.details) == ["action_type"]
    item.refresh_from_db()
    assert (item.action_type, item.revision) == ("hearing_held", 1)


def test_editing_an_item_bumps_its_revision_and_keeps_the_old_one(world):
    item = PowerItem.objects.get(code="JUD-02")
    item.title = "主持庭审"
    power_item_save(item=item, changed_by=world.admin.user, reason="wording")
    item.refresh_from_db()
    assert item.revision == 2
    assert list(item.revisions.values_list("revision", "snapshot__title")) == [(1, "主持开庭审理"), (2, "主持庭审")]
    decision = decide(world.judge, "hearing_held", world.case())
    assert (decision.item_code, decision.item.revision) == ("JUD-02", 2)


def test_saving_an_unchanged_item_does_not_bump(world):
    item = PowerItem.objects.get(code="JUD-02")
    power_item_save(item=item)
    item.refresh_from_db()
    assert item.revision == 1


def test_malformed_conditions_are_refused_and_nothing_changes():
    item = PowerItem.objects.get(code="JUD-02")
    item.conditions = {"field": "case.nonsense", "op": "eq", "value": 1}
    with pytest.raises(ValidationFailed) as excinfo:
        power_item_save(item=item)
    assert "unknown field 'case.nonsense'" in excinfo.value.message
    item.refresh_from_db()
    assert (item.revision, item.conditions["all"][1]["field"]) == (1, "case.is_open")


def test_deactivated_item_no_longer_allows(world):
    case = world.case()
    item = PowerItem.objects.get(code="JUD-02")
    item.is_active = False
    power_item_save(item=item)
    assert decide(world.judge, "hearing_held", case).allowed is False
