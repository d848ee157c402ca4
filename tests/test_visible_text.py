"""Chinese everywhere in the Chinese UI (issue 19): the main pages, rendered in zh-hans for the test world's users,
show no internal code, English enum value or Python literal in their visible text; and the words a page builds
from codes (alert explanations, the performance file) use display names."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import importlib
import re
from decimal import Decimal

import pytest
from django.db import models
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accountability.models import Officer
from cases import services
from discipline import services as discipline
from evaluation.models import Consequence, Grade, Review
from interference import services as interference
from supervision import rules
from supervision import services as supervision
from supervision.models import Situation

pytestmark = pytest.mark.django_db

CHOICES_MODULES = ("accountability", "cases", "supervision", "interference", "similar", "discipline")
LITERALS = re.compile(r"\b(True|False|None)\b")


def _enum_values() -> set[str]:
    """Every value of the choices modules' (and the quality review's) TextChoices that is not its own label."""
    classes = [Grade, Consequence, Review.Status]
    for app in CHOICES_MODULES:
        module = importlib.import_module(f"{app}.choices")
        classes += [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, models.TextChoices)]
    with translation.override("zh-hans"):
        return {str(value) for cls in classes for value, label in cls.choices if str(value) != str(label) and value}


def visible_text(page: str) -> str:
    """What a reader sees as words: no scripts, styles, tags or attributes, nor program text set as ``<code>`` (the
    draw's repeat instruction); entities decoded."""
    page = re.sub(r"<(script|style|template|code)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def leaks(text: str, codes: set[str]) -> list[str]:
    found = [m.group(0) for m in LITERALS.finditer(text)]
    words = set(re.findall(r"(?<![A-Za-z0-9_.-])[a-z][a-z0-9_]*(?![A-Za-z0-9_])", text))
    return found + sorted(words & codes)


@pytest.fixture
def populated(world):
    """A case with a trace, an alert, an interference record and a discipline proceeding."""
    case = world.case()
    crowded = world.case(parties_count=12, filed_on=timezone.localdate() - dt.timedelta(days=170))
    assert supervision.sweep()  # the automatic alerts, each with its explanation
    assert crowded.flags.exists()
    services.case_log_action(actor=world.judge, case=case, action_type="hearing_held", note="第一次开庭")
    supervision.flag_raise(actor=world.judge, case=case, situation=Situation.objects.get(code="M-03"), reason="首例")
    interference.record_interference(
        actor=world.judge,
        case=case,
        person_officer=None,
        source_kind="leading_cadre",
        person_name="某领导",
        person_employer="某区委",
        person_post="副书记",
        relationship="当事人亲属的同学",
        channel="phone",
        content="询问案件进展并希望关照",
        handling="告知依法办理，未予理会",
        occurred_at=timezone.now() - dt.timedelta(hours=2),
    )
    lead = discipline.lead_register(
        actor=world.inspector, officer=world.judge, source="complaint", summary="当事人投诉", origin={}
    )
    proceeding = discipline.lead_open(actor=world.inspector, lead=lead, allegation="涉嫌故意违反法定程序")
    return case, proceeding, crowded


def _pages(world, case, proceeding, crowded):
    return [
        (world.judge, reverse("home")),
        (world.judge, reverse("cases:mine")),
        (world.judge, reverse("cases:detail", args=[case.public_id])),
        (world.judge, reverse("notifications")),
        (world.judge, reverse("similar:search")),
        (world.judge, reverse("interference:list")),
        (world.chief, reverse("home")),
        (world.chief, reverse("supervision:inbox")),
        (world.chief, reverse("cases:requests")),
        (world.chief, reverse("cases:detail", args=[case.public_id])),
        (world.filing, reverse("cases:filing-list")),
        (world.inspector, reverse("interference:list")),
        (world.inspector, reverse("discipline:list")),
        (world.inspector, reverse("discipline:detail", args=[proceeding.public_id])),
        (world.president, reverse("supervision:inbox")),
        (world.president, reverse("cases:detail", args=[crowded.public_id])),
        (world.chief, reverse("cases:detail", args=[crowded.public_id])),
        (world.assistant, reverse("home")),
        (world.clerk, reverse("cases:mine")),
        (world.evaluator, reverse("home")),
        (world.committee, reverse("home")),
        (world.committee, reverse("discipline:list")),
    ]


def test_main_pages_show_no_codes_or_python_literals(world, populated):
    case, proceeding, crowded = populated
    # officer numbers (干警编号) are shown beside names; the test world's are words such as "judge"
    codes = _enum_values() - set(Officer.objects.values_list("officer_id", flat=True))
    assert {"ruling_signed", "returned_for_supplementary_investigation", "civil", "excellent"} <= codes
    problems = {}
    for officer, url in _pages(world, case, proceeding, crowded):
        client = Client()
        client.force_login(officer.user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, (officer.officer_id, url)
        text = visible_text(response.content.decode())
        assert re.search(r"[\u4e00-\u9fff]", text), url  # the page is in Chinese
        if url == reverse("supervision:inbox") and officer == world.chief:
            assert "未结: 是; 当事人人数: 12" in text and "审限剩余天数: " in text
        found = leaks(text, codes)
        if found:
            problems[f"{officer.officer_id} {url}"] = found
    assert problems == {}


def test_the_leak_finder_finds_what_it_looks_for():
    codes = {"ruling_signed", "excellent"}
    text = visible_text('<p title="ruling_signed">签署裁判文书</p><script>var x = None;</script><td>excellent</td>')
    assert leaks(text, codes) == ["excellent"]
    assert leaks(visible_text("<dd>未结: True</dd>"), codes) == ["True"]


def test_alert_explanations_read_in_words():
    with translation.override("zh-hans"):
        words = rules.explain(
            {
                "case.is_open": True,
                "case.parties_count": 12,
                "case.case_type": "civil",
                "case.claim_amount": Decimal("20000000.00"),
                "case.limit_percent_used": 95,
                "case.days_pending": None,
            }
        )
        assert (
            words
            == "未结: 是; 当事人人数: 12; 案件类型: 民事; 诉讼标的额（元）: 20000000; 审限已用百分比: 95%; 立案天数: —"
        )
        assert rules.explain({"case.days_over_limit": -8}) == "审限剩余天数: 8"
        assert rules.explain({"case.days_over_limit": 3}) == "超审限天数: 3"


def test_the_performance_file_names_grades_statuses_and_consequences(world):
    case = world.case(closed_on=dt.date(2026, 3, 1), closing_method="judgment")
    Review.objects.create(case=case, officer=world.judge, status=Review.Status.RESPONDED, grade=Grade.EXCELLENT)
    client = Client()
    client.force_login(world.judge.user)
    page = client.get(reverse("evaluation:performance") + "?year=" + str(timezone.now().year))
    text = visible_text(page.content.decode())
    assert "优质" in text and "excellent" not in text and "responded" not in text


def test_the_dashboards_quality_panel_names_grades_and_consequences():
    quality = {"grades": {"excellent": 4, "fail": 1}, "points": Decimal("3.5"), "consequences": {"reminder": 3}}
    with translation.override("zh-hans"):
        text = visible_text(render_to_string("dashboards/_quality.html", {"quality": quality}))
    assert "优质：4；不合格：1" in text and "3.5" in text
    assert not re.search(r"excellent|fail|reminder", text)
