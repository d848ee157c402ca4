"""类案推送 (issue 22): similar cases computed in the background from a case's whole text, shown on the case
page and citable in a search report, recomputed when the text changes, scoped as search is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from accountability.models import OutboxMessage
from cases.models import Case
from similar import selectors as similar_selectors
from similar import services as similar
from similar.models import SimilarPush

DRUGS = "被告人在出租屋内向吸毒人员贩卖甲基苯丙胺三次，共计五克，收取毒资一千五百元，被当场抓获。"


@pytest.fixture
def decided(world):
    on = dt.date.today() - dt.timedelta(days=90)
    made = {}
    for key, cause, facts, court in (
        ("drugs", "贩卖毒品罪", "被告人多次贩卖甲基苯丙胺给吸毒人员，收取毒资，共计四克。", world.court),
        ("loan", "民间借贷纠纷", "借款到期后借款人未归还本金，出借人诉请归还借款并支付利息。", world.court),
        ("drugs_high", "贩卖毒品罪", "被告人在宾馆贩卖甲基苯丙胺二克，收取毒资六百元。", world.high),
        ("foreign", "贩卖毒品罪", "被告人在出租屋内向吸毒人员贩卖甲基苯丙胺三次，收取毒资。", world.other_court),
    ):
        extra = {"department": None} if court != world.court and court != world.other_court else {}
        case = world.case(
            organisation=court, case_number=f"（2025）刑初{len(made) + 1}号", cause=cause, closed_on=on, **extra
        )
        Case.objects.filter(pk=case.pk).update(facts_summary=facts)
        made[key] = case
    similar.index_cases([c.pk for c in made.values()], push=False)
    return made


@pytest.fixture
def pending(world, decided):
    case = world.case(case_number="（2026）刑初9号", cause="贩卖毒品罪")
    Case.objects.filter(pk=case.pk).update(facts_summary=DRUGS)
    return Case.objects.get(pk=case.pk)


def labels(result):
    return [h.label for h in result.hits]


def test_the_push_holds_the_most_similar_cases_the_court_may_search(world, decided, pending):
    assert similar_selectors.pushed(officer=world.judge, case=pending) is None  # not computed yet
    assert similar.push_compute([pending.pk]) == 1
    found = labels(similar_selectors.pushed(officer=world.judge, case=pending))
    assert found[:2] == [decided["drugs"].case_number, decided["drugs_high"].case_number]
    assert decided["foreign"].case_number not in found  # another court's ruling never
    assert pending.case_number not in found
    assert similar.push_compute([pending.pk]) == 0  # unchanged text: nothing to do


def test_a_viewer_sees_the_push_through_their_own_scope(world, decided, pending):
    similar.push_compute([pending.pk])
    assert labels(similar_selectors.pushed(officer=world.other_judge, case=pending)) == []
    assert similar_selectors.pushed(officer=None, case=pending).hits == []


def test_a_change_of_text_recomputes_the_push_in_the_background(
    world, decided, pending, django_capture_on_commit_callbacks
):
    similar.push_compute([pending.pk])
    before = SimilarPush.objects.get(case=pending)
    similar.index_cases([pending.pk])  # unchanged: nothing asked
    assert not OutboxMessage.objects.filter(task=similar.PUSH_TASK).exists()
    Case.objects.filter(pk=pending.pk).update(facts_summary="借款人到期未归还借款本金及利息。", cause="民间借贷纠纷")
    with django_capture_on_commit_callbacks(execute=True):  # after commit, the task runs (eagerly here)
        similar.index_cases([pending.pk])  # as an import does for a changed case
    assert OutboxMessage.objects.filter(task=similar.PUSH_TASK, args=[[pending.pk]]).exists()
    after = SimilarPush.objects.get(case=pending)
    assert after.text_hash != before.text_hash
    assert labels(similar_selectors.pushed(officer=world.judge, case=pending))[0] == decided["loan"].case_number


def test_the_case_page_shows_the_push_cheaply_and_links_to_the_report(
    world, decided, pending, client, django_assert_max_num_queries
):
    client.force_login(world.judge.user)
    page = client.get(reverse("cases:detail", args=[pending.public_id])).content.decode()
    assert 'id="similar-push"' in page and decided["drugs"].case_number not in page  # not computed yet
    similar.push_compute([pending.pk])
    with django_assert_max_num_queries(2):
        similar_selectors.pushed(officer=world.judge, case=pending)
    page = client.get(reverse("cases:detail", args=[pending.public_id])).content.decode()
    assert decided["drugs"].case_number in page and decided["foreign"].case_number not in page
    assert "push=1" in page
    search = client.get(reverse("similar:search"), {"case": str(pending.public_id), "push": "1"}).content.decode()
    assert f'id="hit-{decided["drugs"].search_document.pk}"' in search and 'id="report-form"' in search


def test_the_command_computes_the_pending_cases_once(world, decided, pending, capsys):
    call_command("push_similar")
    assert "computed the push of 1 of 1 cases" in capsys.readouterr().out
    assert SimilarPush.objects.filter(case=pending).exists()
    call_command("push_similar")
    assert "computed the push of 0 of 1 cases" in capsys.readouterr().out  # unchanged: skipped
