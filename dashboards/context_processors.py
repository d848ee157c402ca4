"""What every page's top bar needs: the bell's unread count and the menus the officer may open.

Each value is computed only if the template uses it (lazily), so pages without the bar pay nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accountability.notifications import unread_count
from accountability.selectors import officer_for_user
from cases.filing import filing_powers
from deliberation.selectors import has_deliberation_work
from interference.selectors import may_read_register
from supervision.selectors import is_supervisor


def navigation(request: HttpRequest) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        officer = officer_for_user(getattr(request, "user", None))
        if officer is None:
            return {
                "officer": None,
                "unread": 0,
                "supervisor": False,
                "filing": False,
                "register": False,
                "discipline": False,
                "deliberation": False,
            }
        return {
            "officer": officer,
            "unread": unread_count(officer),
            "supervisor": is_supervisor(officer),
            "filing": any(d.allowed for d in filing_powers(officer).values()),
            "register": may_read_register(officer),
            # discipline work: the roles that handle it, or anyone a proceeding concerns
            "discipline": bool(
                {"inspector", "committee_member", "president", "case_management"} & set(officer.role_codes)
            )
            or officer.proceedings.exists(),
            "deliberation": has_deliberation_work(officer),
        }

    return {"nav": SimpleLazyObject(build)}
