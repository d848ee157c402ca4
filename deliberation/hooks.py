"""How deliberation hears from the layers below (connected in ``DeliberationConfig.ready``): every referral made
through supervision is checked against the referral rules and put before its body; each meeting's chain joins
``verify_audit_chain``; the case page shows the case's referrals before the bodies, their resolutions, the
panel's departure from an advisory opinion and the follow-up of a binding one."""

from __future__ import annotations

from typing import Any

from accountability import chain
from accountability.choices import ActionType
from cases.panels import CasePanel, PanelRequest, case_panel_register
from deliberation import selectors, services
from deliberation.choices import BodyKind
from supervision import events as supervision_events

#: The body a panel asks to hear its own case, by organisation kind.
FILTER_BODY = {"court": BodyKind.JUDGES_MEETING, "procuratorate": BodyKind.JOINT_MEETING}


def deliberation_panel(request: PanelRequest) -> dict[str, Any]:
    items = selectors.case_items(request.case)
    readable: set[int] = set()
    if request.officer is not None and items:
        readable = set(
            selectors.meetings_visible_to(request.officer.user)
            .filter(items__case=request.case)
            .values_list("pk", flat=True)
        )
    return {
        "deliberation_items": [(item, item.meeting_id in readable) for item in items],
        "may_depart": request.allowed(ActionType.DEPARTED_FROM_OPINION),
        "may_follow_up": request.allowed(ActionType.RESOLUTION_FOLLOWED_UP),
        # the panel's own request to its judges' (joint) meeting; leaders refer from the supervision panel
        "may_request": request.allowed(ActionType.REFERRED_TO_COMMITTEE)
        and not request.allowed(ActionType.SUPERVISION_COMMENT),
        "filter_body": FILTER_BODY.get(request.case.organisation.kind),
    }


def connect() -> None:
    supervision_events.referral_created.connect(services.referral_routed, dispatch_uid="deliberation.referral_routed")
    chain.register_checker("deliberation meetings", services.verify_all)
    case_panel_register(
        CasePanel(
            name="deliberation.items",
            template="deliberation/_case_deliberation.html",
            order=45,
            action_types=(
                ActionType.DEPARTED_FROM_OPINION,
                ActionType.RESOLUTION_FOLLOWED_UP,
                ActionType.REFERRED_TO_COMMITTEE,
                ActionType.SUPERVISION_COMMENT,
            ),
            context=deliberation_panel,
        )
    )
