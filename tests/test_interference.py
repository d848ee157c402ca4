"""Interference records (三个规定): recorded by anyone, permanent and chained, hidden from the person recorded
and their chain of command, seen by inspectors and the case-management office; quarterly reports with nil
reports, a missing report flagged, exports that equal the page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accountability.errors import PowerDenied, ValidationFailed
from accountability.models import AppendOnlyError, Notification
from cases.models import Action
from interference import selectors as interference_selectors
from interference import services as interference
from interference.models import InterferenceRecord, InterferenceReport
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def record(world, case, *, actor=None, person=None, when=None, **extra):
    fields = {
        "source_kind": "leading_cadre",
        "person_name": "某领导",
        "person_employer": "某区委",
        "person_post": "副书记",
        "relationship": "当事人亲属的同学",
        "channel": "phone",
        "content": "询问案件进展并希望关照",
        "handling": "告知依法办理，未予理会",
        "occurred_at": when or timezone.now() - dt.timedelta(hours=2),
    }
    fields.update(extra)
    return interference.record_interference(actor=actor or world.judge, case=case, person_officer=person, **fields)


def test_recording_is_kept_out_of_the_case_trace_and_chained(world):
    case = world.case()
    before = Action.objects.filter(case=case).count()
    first = record(world, case)
    second = record(world, case, actor=world.clerk)
    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert Action.objects.filter(case=case).count() == before  # the trace, which leaders read, says nothing
    assert interference.verify_records() == []
    with pytest.raises(AppendOnlyError):
        first.delete()
    with pytest.raises(AppendOnlyError):
        first.save()
    if connection.vendor == "sqlite":  # the PostgreSQL trigger refuses this; on SQLite show the chain finds it
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_interferencerecord SET content = '无' WHERE seq = 1")
        assert interference.verify_records() == ["interference register #1: content does not match its hash (edited)"]


def test_anyone_may_record_about_a_case_of_their_court_but_not_another_court(world):
    case = world.case()
    assert record(world, case, actor=world.evaluator).recorder == world.evaluator  # not on the case
    foreign = world.case(organisation=world.other_court, department=world.other_civil)
    with pytest.raises(PowerDenied):
        record(world, foreign, actor=world.judge)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person_name": " "}, "person_name"),
        ({"content": ""}, "content"),
        ({"handling": ""}, "handling"),
        ({"channel": "pigeon"}, "channel"),
        ({"source_kind": "alien"}, "source_kind"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}, "occurred_at"),
    ],
)
def test_an_incomplete_record_names_the_field_and_writes_nothing(world, change, field):
    case = world.case()
    with pytest.raises(ValidationFailed) as caught:
        record(world, case, **change)
    assert field in caught.value.details
    assert not InterferenceRecord.objects.exists()


def test_the_form_shows_which_field_is_wrong(world):
    case = world.case()
    response = client_for(world.judge).post(
        reverse("interference:new"),
        {
            "case_number": case.case_number,
            "source_kind": "party",
            "person_name": "",
            "channel": "phone",
            "occurred_at": "2026-11-01T10:00",
            "content": "x",
            "handling": "y",
        },
    )
    assert response.status_code == 400
    assert response.context["errors"]["person_name"]
    unknown = client_for(world.judge).post(reverse("interference:new"), {"case_number": "无此案号"})
    assert unknown.context["errors"]["case_number"]
    ok = client_for(world.judge).post(
        reverse("interference:new"),
        {
            "case_number": case.case_number,
            "source_kind": "party",
            "person_name": "张某",
            "channel": "in_person",
            "occurred_at": "2026-11-01T10:00",
            "content": "要求尽快判决",
            "handling": "告知依法处理",
        },
    )
    assert ok.status_code == 302 and InterferenceRecord.objects.get().person_name == "张某"


def test_recorder_protection_matrix(world):
    """The person recorded (the division chief here) and their chain of command never see the record or its
    recorder; the inspector and the case-management office do; colleagues do not."""
    case = world.case()
    rec = record(world, case, person=world.chief)
    expected = {
        "judge": True,  # the recorder
        "inspector": True,
        "filing": True,  # case-management office
        "chief": False,  # the person recorded
        "president": False,  # their chain of command
        "high_president": False,
        "judge2": False,
        "clerk": False,
        "evaluator": False,
        "admin": False,
        "other_chief": False,
    }
    for name, sees in expected.items():
        officer = getattr(world, name)
        assert interference_selectors.records_visible_to(officer.user).filter(pk=rec.pk).exists() is sees, name
        client = client_for(officer)
        detail = client.get(reverse("interference:detail", args=[rec.public_id]))
        assert detail.status_code == (200 if sees else 404), name
        listing = client.get(reverse("interference:list")).content.decode()
        assert ("某领导" in listing) is sees, name
        case_page = client.get(reverse("cases:detail", args=[case.public_id]))
        if case_page.status_code == 200:
            assert "某领导" not in case_page.content.decode(), name
    # an inspector recorded about is protected from the record too
    about_inspector = record(world, case, actor=world.judge2, person=world.inspector)
    assert not interference_selectors.records_visible_to(world.inspector.user).filter(pk=about_inspector.pk).exists()
    assert interference_selectors.records_visible_to(world.filing.user).filter(pk=about_inspector.pk).exists()


def test_export_equals_the_register(world):
    case = world.case()
    record(world, case)
    record(world, case, actor=world.clerk, person_name="律师甲", source_kind="lawyer")
    response = client_for(world.inspector).get(reverse("interference:export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "案号", "过问人")
    assert [(r[0], r[1], r[2], r[11]) for r in rows[1:]] == [
        (1, case.case_number, "某领导", world.judge.name),
        (2, case.case_number, "律师甲", world.clerk.name),
    ]
    mine = load_workbook(io.BytesIO(client_for(world.clerk).get(reverse("interference:export")).content))
    assert [r[2] for r in list(mine.active.iter_rows(values_only=True))[1:]] == ["律师甲"]


# --- quarterly reports ----------------------------------------------------------------------------------


def test_quarterly_reports_nil_filed_missing_and_flagged_once(world):
    case = world.case()
    with time_machine.travel(dt.datetime(2026, 8, 10, 3, tzinfo=dt.UTC), tick=False):
        record(world, case)  # Q3 2026, by the civil division's judge
    with time_machine.travel(dt.datetime(2026, 10, 8, 3, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ValidationFailed):  # the quarter has not ended... it has; Q4 has not
            interference.report_file(actor=world.chief, department=world.civil, year=2026, quarter=4)
        civil = interference.report_file(actor=world.chief, department=world.civil, year=2026, quarter=3)
        assert (civil.records, civil.is_nil) == (1, False)
        with pytest.raises(PowerDenied):  # a chief files for their own division only
            interference.report_file(actor=world.chief, department=world.criminal, year=2026, quarter=3)
        statuses = {
            s.department.code: s.state
            for s in interference_selectors.reports_status(
                departments=world.court.departments.all(), year=2026, quarter=3, viewer=world.chief
            )
        }
        assert statuses == {"MS1": "filed", "XS": "due"}
        assert interference.flag_missing_reports() == 0  # within the grace period
    with time_machine.travel(dt.datetime(2026, 10, 20, 3, tzinfo=dt.UTC), tick=False):
        assert interference.flag_missing_reports() == 2  # the criminal division, and the other court's division
        assert interference.flag_missing_reports() == 2  # still missing, but each watcher is told once
        told = Notification.objects.filter(message__contains="刑事审判庭")
        assert set(told.values_list("recipient", flat=True)) == {world.filing.pk, world.inspector.pk}
        assert told.count() == 2
        nil = interference.report_file(actor=world.filing, department=world.criminal, year=2026, quarter=3)
        assert (nil.records, nil.is_nil) == (0, True)
        page = client_for(world.president).get(reverse("interference:reports") + "?year=2026&quarter=3")
        assert [s.state for s in page.context["statuses"]] == ["filed", "nil"]
        workbook = load_workbook(
            io.BytesIO(
                client_for(world.president).get(reverse("interference:reports-export") + "?year=2026&quarter=3").content
            )
        )
        rows = list(workbook.active.iter_rows(values_only=True))[1:]
        assert [(r[1], r[3], r[4]) for r in rows] == [("民事审判第一庭", 1, "已报送"), ("刑事审判庭", 0, "零报告")]
    with pytest.raises(AppendOnlyError):
        InterferenceReport.objects.first().delete()
    assert client_for(world.judge).get(reverse("interference:reports")).status_code == 403
