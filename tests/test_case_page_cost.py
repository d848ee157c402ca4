"""Issue 23: the case page does not grow with its trace: the newest entries only, the same queries, and an older
action can still be corrected from the form."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Action, Case
from cases.views import TRACE_SHOWN


def _page(client: Client, case: Case, query: str = "") -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/cases/{case.public_id}/{query}")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _long_case(world, extra: int) -> Case:
    case = world.case()
    for n in range(extra):
        services.case_log_action(actor=world.judge, case=case, action_type="note", note=f"阅卷 {n}")
    case.refresh_from_db()
    return case


def test_a_long_trace_shows_its_newest_entries_for_the_same_queries_as_a_short_one(world):
    short, long = _long_case(world, 2), _long_case(world, TRACE_SHOWN + 20)
    client = Client()
    client.force_login(world.judge.user)
    for case in (short, long):
        _page(client, case)  # the first view walks the chain (once per head) and loads the flow nodes
    short_html, short_queries = _page(client, short)
    long_html, long_queries = _page(client, long)
    assert long_queries == short_queries
    total = long.trace_length
    assert f'id="action-{total}"' in long_html and f'id="action-{total - TRACE_SHOWN + 1}"' in long_html
    assert f'id="action-{total - TRACE_SHOWN}"' not in long_html  # older than the page: behind "show all"
    assert 'id="trace-all"' in long_html and f"（{total}）" in long_html
    assert 'id="trace-all"' not in short_html
    everything, _ = _page(client, long, "?trace=all")
    assert 'id="action-1"' in everything and 'id="trace-all"' not in everything


def test_an_action_older_than_the_page_can_still_be_corrected_and_a_missing_one_is_named(world):
    case = _long_case(world, TRACE_SHOWN + 5)
    client = Client()
    client.force_login(world.judge.user)
    old = Action.objects.get(case=case, seq=3)
    client.post(
        f"/cases/{case.public_id}/actions/",
        {"action_type": "note", "note": "更正早先的记录", "corrects": old.seq, "version": case.version},
    )
    assert Action.objects.get(case=case, note="更正早先的记录").corrects == old
    case.refresh_from_db()
    response = client.post(
        f"/cases/{case.public_id}/actions/",
        {"action_type": "note", "note": "无此记录", "corrects": 9999, "version": case.version},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"corrects"}
    assert not Action.objects.filter(case=case, note="无此记录").exists()


def test_the_trace_pages_back_through_older_entries_for_the_same_queries(world):
    case = _long_case(world, 2 * TRACE_SHOWN + 3)
    total = case.trace_length
    client = Client()
    client.force_login(world.judge.user)
    _page(client, case)  # the first view walks the chain (once per head)
    first_html, first_queries = _page(client, case)
    assert 'id="trace-older"' in first_html and 'id="trace-newer"' not in first_html
    assert f"第 {total - TRACE_SHOWN + 1}–{total} 条（共 {total} 条）" in first_html
    second_html, second_queries = _page(client, case, "?trace_page=2")
    assert second_queries == first_queries
    assert f'id="action-{total - TRACE_SHOWN}"' in second_html
    assert f'id="action-{total - 2 * TRACE_SHOWN + 1}"' in second_html
    assert f'id="action-{total - TRACE_SHOWN + 1}"' not in second_html  # on the newer page
    assert f'id="action-{total - 2 * TRACE_SHOWN}"' not in second_html  # on the older page
    assert 'href="?trace_page=1#timeline" id="trace-newer"' in second_html
    assert 'href="?trace_page=3#timeline" id="trace-older"' in second_html
    last_html, _ = _page(client, case, "?trace_page=3")
    assert 'id="action-1"' in last_html and 'id="trace-older"' not in last_html
    for beyond in ("?trace_page=99", "?trace_page=x", "?trace_page=-4"):
        html, _ = _page(client, case, beyond)  # the nearest page, never an error
        assert ('id="action-1"' in html) == (beyond == "?trace_page=99")
