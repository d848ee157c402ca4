"""The case page does not grow with its trace (issue 23, item 3, in part): the chain badge walks a case's chain once
per head, not on every view, and a long trace shows its newest entries with the rest on request."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cases import audit, services
from cases.views import TRACE_SHOWN
from tests.test_tamper import _as_owner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def _page(officer, case, **params) -> str:
    client = Client()
    client.force_login(officer.user)
    return client.get(reverse("cases:detail", args=[case.public_id]), params).content.decode()


def test_the_badge_walks_the_chain_once_per_head(world, monkeypatch):
    walks = []
    walk = audit.verify_chains
    monkeypatch.setattr(audit, "verify_chains", lambda **kw: walks.append(kw) or walk(**kw))
    case = world.case()
    services.case_log_action(actor=world.judge, case=case, action_type="hearing_held", note="第一次开庭")
    for _ in range(3):
        assert 'id="chain-badge">✔' in _page(world.judge, case)
    assert len(walks) == 1
    services.case_log_action(actor=world.judge, case=case, action_type="hearing_held", note="第二次开庭")
    assert 'id="chain-badge">✔' in _page(world.chief, case)
    assert len(walks) == 2  # a new action moved the head: walked again


def test_an_edit_behind_the_services_back_shows_once_the_trust_lapses(world):
    case = world.case()
    action = services.case_log_action(actor=world.judge, case=case, action_type="hearing_held", note="开庭")
    assert 'id="chain-badge">✔' in _page(world.judge, case)
    _as_owner("cases_action", "UPDATE cases_action SET note = %s WHERE id = %s", ["改过的笔录", action.pk])
    assert audit.verify_chains(case_number=case.case_number)  # the full check sees it at once
    cache.clear()  # as CASE_CHAIN_TRUST_SECONDS passing does
    assert 'id="chain-badge">✘' in _page(world.judge, case)


def test_a_long_trace_shows_its_newest_entries_and_the_rest_on_request(world):
    case = world.case()
    for i in range(TRACE_SHOWN + 5):
        services.case_log_action(actor=world.judge, case=case, action_type="note", note=f"第{i}条")
    total = case.actions.count()  # the note entries and what the case began with
    page = _page(world.judge, case)
    timeline = page[page.index('id="timeline"') :]
    shown = re.findall(r'<li id="action-(\d+)"', timeline)
    assert len(shown) == TRACE_SHOWN and shown[0] == str(total) and shown[-1] == str(total - TRACE_SHOWN + 1)
    assert 'id="trace-all"' in timeline and f"共 {total} 条" in timeline
    everything = _page(world.judge, case, trace="all")
    assert len(re.findall(r'<li id="action-(\d+)"', everything)) == total
    assert 'id="trace-all"' not in everything
