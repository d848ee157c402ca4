"""The sweep fanned out per organisation (issue 23): one task per court, each safe to run again, writing the same
flags and the same trace actions as the single-process sweep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accountability.models import Notification, Organisation
from cases.audit import verify_chains
from cases.models import Action, Case
from supervision import services as supervision
from supervision.models import Flag, Situation, SweepRun, SweepRunItem
from supervision.tasks import supervision_sweep
from tests.conftest import ensure_reference_data
from tests.test_tasks import real_commits, wait_for, worker  # noqa: F401 - the real worker's fixture

TODAY = dt.date(2026, 11, 18)  # a Wednesday
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


class _Undo(Exception):
    pass


def _written() -> tuple[list[tuple], list[tuple]]:
    """What a sweep wrote, without what differs from one run to the next by design (a flag's random public id, the
    hashes over it): each flag, and each system action of each case's trace in chain order."""
    flags = sorted(
        Flag.objects.values_list(
            "case_id", "organisation_id", "situation__code", "situation_revision", "status", "reason", "facts", "act_by"
        )
    )
    actions = [
        (a.case_id, a.seq, a.action_type, a.note, {k: v for k, v in a.payload.items() if k != "flag"})
        for a in Action.objects.filter(source="system").order_by("case_id", "seq")
    ]
    return flags, actions


def _single_then_undone(*, chains: bool = True) -> tuple[list[tuple], list[tuple], dict[str, int]]:
    """The single-process sweep's result, rolled back, so the fanned-out run starts from the same database."""
    try:
        with transaction.atomic():
            raised = supervision.sweep()
            assert not chains or verify_chains() == []
            written = _written()
            raise _Undo
    except _Undo:
        pass
    assert not Flag.objects.exists()
    return (*written, raised)


def _fanned_out(key: str) -> SweepRun:
    run = supervision.sweep_run_start(key=key)
    for organisation_id in run.items.values_list("organisation_id", flat=True):
        assert supervision.sweep_run_item(run_id=run.pk, organisation_id=organisation_id) is not None
    return SweepRun.objects.get(pk=run.pk)


def _several_rules_on_several_courts(world) -> list[Case]:
    """Cases of two courts where several rules hold, some on the same case (two flags on one chain)."""
    long_ago = TODAY - dt.timedelta(days=400)
    return [
        world.case(organisation=world.court, parties_count=15, filed_on=TODAY - dt.timedelta(days=10)),  # G-02
        world.case(organisation=world.court, parties_count=15, filed_on=long_ago, time_limit_days=0),
        world.case(organisation=world.other_court, filed_on=long_ago, time_limit_days=0),
        world.case(organisation=world.other_court, parties_count=20, filed_on=TODAY - dt.timedelta(days=3)),
        world.case(organisation=world.court, filed_on=TODAY - dt.timedelta(days=1)),  # nothing holds
    ]


def test_the_fanned_out_sweep_writes_what_the_single_sweep_writes(frozen, world):
    _several_rules_on_several_courts(world)
    flags, actions, raised = _single_then_undone()
    assert sum(raised.values()) >= 6
    assert len({case for case, *_rest in flags}) >= 4  # several cases, several flags on some of them
    assert max(sum(1 for f in flags if f[0] == case) for case, *_rest in flags) >= 2

    run = _fanned_out("test")
    assert _written() == (flags, actions)
    assert (run.done, run.total, run.raised) == (2, 2, len(flags))  # the two courts with cases
    assert run.finished_at is not None
    by_code: dict[str, int] = {}
    for item in run.items.all():
        for code, count in item.raised.items():
            by_code[code] = by_code.get(code, 0) + count
    assert by_code == raised
    assert verify_chains() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator is PostgreSQL's generate_series")
def test_on_generated_data_the_fanned_out_sweep_writes_what_the_single_sweep_writes(frozen, db):
    ensure_reference_data()  # the default situations (a transactional test before this one flushed them)
    call_command("generate_data", "--cases", "400")  # its actions carry no real chain: it is not verified here
    flags, actions, raised = _single_then_undone(chains=False)
    run = _fanned_out("generated")
    assert len(flags) > 100  # the generated cases were not closed on time: most raise an alert
    assert _written() == (flags, actions)
    assert run.total == Organisation.objects.filter(cases__isnull=False).distinct().count()
    assert (run.done, run.raised, run.finished_at is not None) == (run.total, len(flags), True)


def test_an_organisation_run_again_raises_nothing_twice(frozen, world):
    _several_rules_on_several_courts(world)
    run = _fanned_out("again")
    flags, actions = _written()
    assert flags
    # a worker killed after its writes and before marking the item done: the task is delivered again
    item = SweepRunItem.objects.get(run=run, organisation=world.court)
    SweepRunItem.objects.filter(pk=item.pk).update(finished_at=None)
    SweepRun.objects.filter(pk=run.pk).update(done=1, finished_at=None)
    again = supervision.sweep_run_item(run_id=run.pk, organisation_id=world.court.pk)
    assert again is not None and sum(again.values()) == 0
    assert _written() == (flags, actions)
    assert SweepRun.objects.get(pk=run.pk).done == 2
    # a finished item is skipped; the organisation swept directly, or the whole single sweep, raises nothing either
    assert supervision.sweep_run_item(run_id=run.pk, organisation_id=world.court.pk) is None
    assert sum(supervision.sweep_organisation(world.other_court.pk).values()) == 0
    assert sum(supervision.sweep().values()) == 0
    assert _written() == (flags, actions)


def test_a_dismissed_flag_is_not_raised_again_by_an_organisations_sweep(frozen, world):
    case = world.case(organisation=world.court, parties_count=15, filed_on=TODAY - dt.timedelta(days=10))
    g02 = Situation.objects.get(code="G-02")
    assert supervision.sweep_organisation(world.court.pk, situations=[g02]) == {"G-02": 1}
    flag = Flag.objects.get(case=case, situation=g02)
    supervision.flag_decide(actor=world.chief, flag=flag, confirm=False, reason="系同一借款合同的共同借款人")
    assert supervision.sweep_organisation(world.court.pk, situations=[g02]) == {"G-02": 0}
    assert Flag.objects.filter(case=case, situation=g02).count() == 1


def test_a_run_started_twice_is_resumed_and_its_leaders_hear_once_per_organisation(frozen, world):
    _several_rules_on_several_courts(world)
    first = supervision.sweep_run_start(key="sweep:2026-11-18")
    assert supervision.sweep_run_start(key="sweep:2026-11-18").pk == first.pk
    assert SweepRunItem.objects.filter(run=first).count() == 2
    before = Notification.objects.count()
    run = _fanned_out("sweep:2026-11-18")
    assert run.pk == first.pk and run.finished_at is not None
    court_flags = Flag.objects.filter(organisation=world.court).count()
    message = Notification.objects.filter(recipient=world.chief).latest("pk").message
    assert str(court_flags) in message
    assert Notification.objects.count() > before
    # the task of a finished run dispatches nothing more
    assert supervision.sweep_run_dispatch(run) == 0


@pytest.mark.celery_worker
@pytest.mark.usefixtures("worker")
@real_commits
def test_the_sweep_fans_out_on_the_worker(world):
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    cases = [
        world.case(organisation=world.court, filed_on=long_ago, time_limit_days=0),
        world.case(organisation=world.other_court, filed_on=long_ago, time_limit_days=0),
    ]
    supervision_sweep.delay("2026-11-18")
    assert wait_for(lambda: SweepRun.objects.filter(key="sweep:2026-11-18", finished_at__isnull=False).exists())
    run = SweepRun.objects.get()
    assert (run.total, run.done) == (2, 2)
    for case in cases:
        assert Flag.objects.filter(case=case, situation__code="RP-03").count() == 1
    supervision_sweep.delay("2026-11-18")  # delivered again: the run is finished, nothing is raised twice
    supervision_sweep.delay("2026-11-19")  # the next night: a new run, which finds the same cases flagged
    assert wait_for(lambda: SweepRun.objects.filter(key="sweep:2026-11-19", finished_at__isnull=False).exists())
    assert SweepRun.objects.get(key="sweep:2026-11-19").raised == 0
    assert Flag.objects.filter(situation__code="RP-03").count() == 2
    assert verify_chains() == []
