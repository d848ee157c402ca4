"""Sections that the apps watching cases add to the case page, without the case page knowing them.

The case page (``cases.views``) shows the clock, the extension, the action form and the trace; supervision adds
its flags and acts, similar-case search its reports. Each registers a ``CasePanel`` in ``AppConfig.ready``; the
page asks the power list once for every panel's action types (``power_decide_many``) and renders each panel's
template, in ``order``, with the context its function returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accountability.models import Officer
from accountability.powers import PowerDecision
from cases.models import Case


@dataclass(frozen=True)
class PanelRequest:
    case: Case
    officer: Officer | None
    decisions: dict[str, PowerDecision]
    error: Any = None

    def allowed(self, action_type: str) -> bool:
        decision = self.decisions.get(action_type)
        return bool(decision and decision.allowed)


@dataclass(frozen=True)
class CasePanel:
    name: str
    template: str
    order: int
    #: the action types whose power decisions the panel reads (asked together with the page's own)
    action_types: tuple[str, ...]
    context: Callable[[PanelRequest], dict[str, Any]]


_PANELS: dict[str, CasePanel] = {}


def case_panel_register(panel: CasePanel) -> None:
    _PANELS[panel.name] = panel


def case_panels() -> list[CasePanel]:
    return sorted(_PANELS.values(), key=lambda p: p.order)
