"""A procuratorate's case page speaks a procuratorate's words (issue 18, item 6): 办案期限, 承办检察官, 办案组, 检察长,
never the court's 审限, 承办法官, 合议庭, 审判长 or 院长; a court's case page keeps its own."""

from __future__ import annotations

import re

import pytest

from accountability.choices import OrganisationKind, page_word
from tests.test_procuratorate import browser, page, proc  # noqa: F401 - the fixture
from tests.test_visible_text import visible_text

pytestmark = pytest.mark.django_db

COURT_WORDS = ("审限", "承办法官", "合议庭", "审判长", "院长", "法官助理", "分案与合议庭")
PROCURATORATE_WORDS = ("办案期限", "承办检察官", "分案与办案组")


def test_a_procuratorates_case_page_speaks_its_words(proc, world):  # noqa: F811 - the fixture
    html = browser(proc.prosecutor).get(f"/cases/{proc.case().public_id}/").content.decode()
    # the flag form lists the situations of 法发〔2021〕30号 in their own words, which a procuratorate marks its major
    # cases by too (PRO-PN6): the one place a court's words stay
    text = visible_text(re.sub(r'<select[^>]*name="situation".*?</select>', "", html, flags=re.S))
    assert all(w in text for w in PROCURATORATE_WORDS), [w for w in PROCURATORATE_WORDS if w not in text]
    assert [w for w in COURT_WORDS if w in text] == []
    court = visible_text(page(world.judge, f"/cases/{world.case().public_id}/"))
    assert all(w in court for w in ("审限", "承办法官", "合议庭", "分案与合议庭"))
    assert [w for w in PROCURATORATE_WORDS if w in court] == []


def test_a_word_without_a_procuratorates_own_is_translated_as_usual():
    assert str(page_word("Time limit", OrganisationKind.PROCURATORATE)) in ("办案期限", "Handling time limit")
    assert str(page_word("Trace", OrganisationKind.PROCURATORATE)) == str(page_word("Trace"))


def test_a_prosecutors_home_page_speaks_a_procuratorates_words(proc, world):  # noqa: F811 - the fixture
    text = visible_text(page(proc.prosecutor, "/home/"))
    assert "办案期限已用≥80％或已超期（0）" in text and "检察长、部门负责人交办事项（0）" in text
    assert "出庭支持公诉" in text and [w for w in ("审限", "院庭长", "开庭、合议") if w in text] == []
    court = visible_text(page(world.judge, "/home/"))
    assert "审限已用≥80％或已超审限（0）" in court and "院庭长交办事项（0）" in court


def test_the_shared_lists_speak_each_kinds_words(proc, world):  # noqa: F811 - the fixture
    proc.case()
    mine = visible_text(page(proc.prosecutor, "/cases/"))
    assert "办案期限已用≥80％" in mine and "超办案期限" in mine and "审限" not in mine
    requests = visible_text(page(proc.general, "/cases/requests/"))
    assert "延长办案期限" in requests and "报请检察长决定" in requests and "审限" not in requests
    court_requests = visible_text(page(world.president, "/cases/requests/"))
    assert "延长审限" in court_requests and "检察长" not in court_requests
    inbox = visible_text(page(proc.general, "/cases/supervision/"))
    assert "检察长、部门负责人不得改变检察官" in inbox and "合议庭" not in inbox
    # the filing form offers the procedures each kind files, and its rules table says who extends in their words
    filing = visible_text(page(proc.intake, "/cases/filing/new/"))
    assert "（本院检察长）" in filing and "无法定办案期限" in filing and "院长）" not in filing.replace("检察长）", "")
    assert "prosecution" in _procedures(proc.intake) and "first_instance" not in _procedures(proc.intake)
    assert "first_instance" in _procedures(world.filing) and "prosecution" not in _procedures(world.filing)


def _procedures(officer) -> list[str]:
    html = browser(officer).get("/cases/filing/new/").content.decode()
    select = re.search(r'<select id="procedure" name="procedure"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([a-z_]+)"', select)
