"""The case page's action form after an error (issue 19): it offers what the power list allows now, by display
name, as on the first render, and says why it refused once, in words."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from accountability.choices import ActionType
from cases import services
from cases.models import Case
from supervision import services as supervision
from supervision.models import Situation

pytestmark = pytest.mark.django_db


def _offered(html: str) -> list[tuple[str, str]]:
    quick = re.search(r'<div class="quick">(.*?)</div>', html, re.S).group(1)
    return [(v, label.strip()) for v, label in re.findall(r'value="([^"]+)"[^>]*>([^<]*)</label>', quick)]


def _alert(html: str) -> str:
    return re.search(r'<div class="error" role="alert">(.*?)</div>', html, re.S).group(1)


@pytest.fixture
def blocked(world):
    """A civil case whose signature JUD-S1 blocks: a situation that requires a similar-case search report."""
    case = world.case()
    supervision.flag_raise(actor=world.judge, case=case, situation=Situation.objects.get(code="M-03"), reason="首例")
    return Case.objects.get(pk=case.pk)


def test_a_refused_action_re_renders_the_form_with_the_same_candidates_and_the_reason_once(world, blocked):
    client = Client()
    client.force_login(world.judge.user)
    first = _offered(client.get(f"/cases/{blocked.public_id}/").content.decode())
    assert ("hearing_held", "开庭审理") in first
    assert "ruling_signed" not in dict(first)  # JUD-S1 blocks it
    assert "returned_for_supplementary_investigation" not in dict(first)  # criminal only

    response = client.post(
        f"/cases/{blocked.public_id}/actions/",
        {"action_type": ActionType.RULING_SIGNED, "version": blocked.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert _offered(html) == first
    alert = _alert(html)
    assert "JUD-S1" in alert and alert.count("JUD-S1") == 1
    assert "ruling_signed" not in alert
    for raw in ("ruling_signed", "returned_for_supplementary_investigation", "退回补充侦查"):
        assert raw not in re.sub(r"<[^>]+>", " ", html)


def test_an_invalid_form_re_renders_with_the_allowed_candidates_only(world, blocked):
    client = Client()
    client.force_login(world.judge.user)
    first = _offered(client.get(f"/cases/{blocked.public_id}/").content.decode())
    response = client.post(
        f"/cases/{blocked.public_id}/actions/",
        {"action_type": ActionType.NOTE, "occurred_at": "not a date", "version": blocked.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert _offered(html) == first
    assert 'value="note" checked' in html  # the officer's choice is kept


def test_the_correction_list_shows_each_action_in_local_time(world):
    case = world.case()
    late_evening = dt.datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # 15:30 UTC, same day there
    services.case_log_action(actor=world.judge, case=case, action_type="note", occurred_at=late_evening)
    early_morning = dt.datetime(2026, 3, 2, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 17:00 UTC on 1 March
    action = services.case_log_action(actor=world.judge, case=case, action_type="note", occurred_at=early_morning)
    client = Client()
    client.force_login(world.judge.user)
    html = client.get(f"/cases/{case.public_id}/").content.decode()
    assert f'<option value="{action.seq}">#{action.seq} 备注 2026-03-02 01:00</option>' in html
