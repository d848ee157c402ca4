"""Officer pickers (issue 19): a lead's subject, the person who asked about a case and a proceeding's sitting
members are chosen by name as one types, not typed as 干警编号. Suggestions come only from the officers one may
name (one's court, the courts below and above, never a sibling court); a name is accepted where it is unique."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accountability.selectors import officer_named, officers_matching
from discipline.models import Lead
from interference.models import InterferenceRecord
from tests.factories import make_officer
from tests.test_browser import browser_type_launch_args, log_in  # noqa: F401 - the fixture
from tests.test_browser import pytestmark as browser_marks
from tests.test_discipline_api import fresh, opened, panel  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _client(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def test_suggestions_come_from_the_officers_one_may_name(world):
    make_officer("other_wang", roles=["judge"], organisation=world.other_court, name="王其他")
    found = {o.officer_id for o in officers_matching(world.judge.user, "王")}
    assert found == {"judge"}  # 王法官 of the court; not 王其他 of a sibling court
    assert {o.officer_id for o in officers_matching(world.judge.user, "院长")} == {"president", "high_president"}
    assert [o.officer_id for o in officers_matching(world.judge.user, "judge2")] == ["judge2"]  # by number too
    assert officers_matching(world.judge.user, "  ") == []
    assert {o.officer_id for o in officers_matching(world.other_judge.user, "院长")} == set()


def test_the_lookup_answers_as_options_for_the_datalist(world):
    response = _client(world.inspector).get(reverse("officer-lookup"), {"field": "officer_id", "officer_id": "法官"})
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', response.content.decode())
    assert options == [
        ("judge2", "李法官 · 上海市黄浦区人民法院 民事审判第一庭"),
        ("judge", "王法官 · 上海市黄浦区人民法院 民事审判第一庭"),
    ]
    assert Client().get(reverse("officer-lookup"), {"q": "法官"}).status_code == 302  # signed in only


def test_a_unique_name_names_the_officer_and_an_ambiguous_one_asks_for_the_number(world):
    assert officer_named(world.judge.user, "周院长") == world.president
    assert officer_named(world.judge.user, "judge2") == world.judge2
    make_officer("wang2", roles=["clerk"], organisation=world.court, name="王法官")
    assert officer_named(world.judge.user, "王法官") is None
    assert officer_named(world.judge.user, "") is None


def test_a_lead_is_registered_against_an_officer_chosen_by_name(world):
    client = _client(world.inspector)
    page = client.get(reverse("discipline:list")).content.decode()
    assert 'list="lead-officer-options"' in page and 'hx-get="/officers/lookup/?field=officer_id"' in page
    client.post(reverse("discipline:lead-new"), {"officer_id": "王法官", "source": "complaint", "summary": "投诉拖延"})
    assert Lead.objects.get().officer == world.judge
    make_officer("wang2", roles=["clerk"], organisation=world.court, name="王法官")
    refused = client.post(
        reverse("discipline:lead-new"),
        {"officer_id": "王法官", "source": "complaint", "summary": "再次投诉"},
        follow=True,
    )
    assert Lead.objects.count() == 1
    assert "没有此姓名或编号的干警（同名时请填写干警编号）" in refused.content.decode()


def test_the_person_who_asked_is_named_by_name_even_from_the_court_above(world):
    case = world.case()
    response = _client(world.judge).post(
        reverse("interference:new"),
        {
            "case_number": case.case_number,
            "source_kind": "insider",
            "person_name": "吴院长",
            "person_officer_id": "吴院长",
            "channel": "phone",
            "occurred_at": "2026-11-01T10:00",
            "content": "询问进展",
            "handling": "告知依法办理",
        },
    )
    assert response.status_code == 302
    assert InterferenceRecord.objects.get().person_officer == world.high_president


@browser_marks[0]
@pytest.mark.django_db(transaction=True)
def test_typing_a_name_offers_the_officers_in_the_browser(page, live_server, world):
    log_in(page, live_server, "inspector")
    page.goto(live_server.url + reverse("discipline:list"))
    page.locator("#lead-form").locator("xpath=..").locator("summary").click()
    page.locator("#lead-officer").press_sequentially("法官", delay=50)
    page.locator("#lead-officer-options option").first.wait_for(state="attached")
    values = page.locator("#lead-officer-options option").evaluate_all("os => os.map(o => o.value)")
    assert values == ["judge2", "judge"]


def test_the_sitting_members_are_ticked_by_name(world, panel):  # noqa: F811 - the fixture
    committee, _judges = panel
    proceeding = opened(world)
    client = _client(world.inspector)
    page = client.get(reverse("discipline:detail", args=[proceeding.public_id])).content.decode()
    boxes = re.findall(
        rf'<fieldset class="committee-members" id="members-of-{committee.pk}">(.*?)</fieldset>', page, re.S
    )
    assert boxes and boxes[0].count('type="checkbox" name="member"') == 4 and "陈委员（committee）" in boxes[0]
    client.post(
        reverse("discipline:detail", args=[proceeding.public_id]),
        {
            "act": "refer",
            "committee": committee.pk,
            "member": ["committee", "cm1", "cm2", "cm3"],
            "findings": "调查报告",
            "expected_version": proceeding.version,
        },
    )
    assert set(fresh(proceeding).members.values_list("officer__officer_id", flat=True)) == {
        "committee",
        "cm1",
        "cm2",
        "cm3",
    }
