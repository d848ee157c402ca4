"""Four-category flags (四类案件): pre-flag, then a leader in scope confirms or dismisses with a reason.
Every step is power-checked and lands in the case's trace."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import Conflict, ValidationFailed
from accountability.models import Officer
from accountability.powers import power_decide
from cases.choices import ActionSource, FlagStatus
from cases.models import Case, Flag, Situation
from cases.services import case_lock_for_update, trace_append


@transaction.atomic
def flag_raise(
    *, actor: Officer, case: Case, situation: Situation, reason: str, source: str = ActionSource.WEB
) -> Flag:
    """A person raises a four-category flag (the judge on their case, a leader in scope, the filing office)."""
    case = case_lock_for_update(case, expected_version=None)
    decision = power_decide(officer=actor, action_type=ActionType.FOUR_CATEGORY_FLAGGED, case=case)
    decision.raise_if_denied()
    if not situation.is_active:
        raise ValidationFailed(
            _("This situation is no longer in use."), details={"situation": [_("No longer in use.")]}
        )
    if not reason.strip():
        raise ValidationFailed(
            _("Say why the case is flagged."), details={"reason": [_("Say why the case is flagged.")]}
        )
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                case=case, situation=situation, situation_revision=situation.revision, reason=reason.strip(),
                raised_by=actor, facts={"raised_by": actor.officer_id},
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(_("The case is already flagged under this situation.")) from None
    trace_append(
        case=case, action_type=ActionType.FOUR_CATEGORY_FLAGGED, actor=actor, source=source, note=reason.strip(),
        payload={"flag": str(flag.public_id), "situation": situation.code, "category": situation.category,
                 "situation_revision": situation.revision},
        decision=decision,
    )  # fmt: skip
    return flag


@transaction.atomic
def flag_decide(
    *, actor: Officer, flag: Flag, confirm: bool, reason: str = "", expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> Flag:  # fmt: skip
    """A leader in scope confirms the flag, or dismisses it with a reason (预标识+再确认)."""
    flag = Flag.objects.select_for_update(of=("self",)).select_related("situation").get(pk=flag.pk)
    if expected_version is not None and flag.version != expected_version:
        raise Conflict(_("This flag was changed by someone else since you loaded it; reload and try again."))
    case = case_lock_for_update(flag.case, expected_version=None)
    action_type = ActionType.FOUR_CATEGORY_CONFIRMED if confirm else ActionType.FOUR_CATEGORY_DISMISSED
    decision = power_decide(officer=actor, action_type=action_type, case=case)
    decision.raise_if_denied()
    if flag.status != FlagStatus.PENDING:
        raise Conflict(_("This flag has already been decided."))
    if not confirm and not reason.strip():
        raise ValidationFailed(
            _("Give the reason for dismissing."), details={"reason": [_("Give the reason for dismissing.")]}
        )
    flag.status = FlagStatus.CONFIRMED if confirm else FlagStatus.DISMISSED
    flag.decided_by, flag.decided_at, flag.decision_reason = actor, timezone.now(), reason.strip()
    flag.version += 1
    flag.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "version", "updated_at"])
    trace_append(
        case=case, action_type=action_type, actor=actor, source=source, note=reason.strip(),
        payload={"flag": str(flag.public_id), "situation": flag.situation.code}, decision=decision,
    )  # fmt: skip
    return flag
