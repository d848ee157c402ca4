"""The similar-case search report prints (issue 19): the 类案检索报告 of a case as a document for the case file,
reached from the case page, seen by those who see the case and by no one else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_similar import _report, library  # noqa: F401 - the fixture
from tests.test_visible_text import visible_text

pytestmark = pytest.mark.django_db


def _get(officer, case, report):
    client = Client()
    client.force_login(officer.user)
    return client.get(reverse("similar:report-print", args=[case.public_id, report.public_id]))


def test_the_report_prints_what_was_searched_cited_and_concluded(world, library):  # noqa: F811 - the fixture
    case = world.case(cause="买卖合同纠纷")
    report = _report(world, case, "示例指导案例1号", "（2025）沪0101民初100号")
    page = _get(world.judge, case, report).content.decode()
    text = " ".join(visible_text(page).split())
    assert "类案检索报告" in text and case.case_number in text and "买卖合同纠纷" in text
    assert "检索人 王法官（judge）" in text and "检索内容 违约金" in text
    assert text.index("示例指导案例1号") < text.index("（2025）沪0101民初100号")  # in the order cited
    assert "同一争议焦点" in text and "参照指导案例调整违约金" in text
    assert f"本报告已记入办案留痕第 {report.action.seq} 条" in text
    assert "data-print" in page
    detail = Client()
    detail.force_login(world.judge.user)
    case_page = detail.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert reverse("similar:report-print", args=[case.public_id, report.public_id]) in case_page


def test_only_those_who_see_the_case_see_its_report(world, library):  # noqa: F811 - the fixture
    case = world.case()
    report = _report(world, case, "示例指导案例1号")
    assert _get(world.chief, case, report).status_code == 200
    assert _get(world.other_judge, case, report).status_code == 404
    other = world.case()
    assert Client().get(reverse("similar:report-print", args=[other.public_id, report.public_id])).status_code == 302
    client = Client()
    client.force_login(world.judge.user)
    assert client.get(reverse("similar:report-print", args=[other.public_id, report.public_id])).status_code == 404
