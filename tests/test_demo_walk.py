"""Every demo login walks every page it can reach (issue 19): the demo is loaded as ``make run`` loads it (smaller),
then each demo user follows every link and htmx address on every page from the home page on, as far as the links go.
Each page must open (a link that ends in an error is a dead end), read in Chinese, and show no internal code, English
enum value or Python literal; each export it offers is opened and read the same way."""

from __future__ import annotations

import io
import re
from collections import Counter
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from openpyxl import load_workbook

from accountability.models import Officer
from interchange import demo, demo_procuratorate
from tests.test_visible_text import _enum_values, leaks, visible_text

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""\s(?:href|hx-get)="([^"#][^"]*)\"""")
#: Addresses a walk does not follow: sign-out and language switching change the session, the admin is Django's own
#: (English-first, for the system administrator), the API speaks JSON to programs, static files are not pages.
NOT_PAGES = re.compile(r"^/(static|media|admin|api|i18n|logout|2fa/reset)(/|$)")
#: How many addresses of one kind (the same view, the same query keys) a walk opens: the tenth case page shows
#: nothing the first three did not, and the walk stays a few seconds per user.
PER_KIND = 3
#: Untranslated English reads as two or more words in a row ("Review of arrest"); the product's own words (Quanze,
#: Excel, API, Python) stand alone in Chinese sentences.
ENGLISH = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{2,})+")
#: Words only one kind of organisation uses (issue 18): a court's page never shows a procuratorate's, nor the reverse.
COURT_WORDS = (
    "审限",
    "合议庭",
    "承办法官",
    "院长",
    "庭长",
    "审判长",
    "上诉率",
    "服判息诉",
    "审判委员会",
    "专业法官会议",
    "违法审判",  # (类案裁判 is not one: a prosecutor's similar-case search reads courts' rulings too)
)
PROCURATORATE_WORDS = ("检察长", "检察官", "联席会议", "检察委员会", "不捕率", "不诉率", "退回补充侦查")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


def _links(page: str, base: str) -> list[str]:
    found = []
    for raw in LINK.findall(page):
        url = urljoin(base, raw.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if local.startswith("/") and not NOT_PAGES.match(local):
            found.append(local)
    return found


def _workbook_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]
    return " ".join(book.sheetnames + cells)


def walk(
    client: Client, codes: set[str], start: str = "/home/", foreign: tuple[str, ...] = (), shared: tuple[str, ...] = ()
) -> tuple[dict[str, list[str]], Counter]:
    """Open every address reachable from ``start``; return the problems found (by address) and the number of pages
    and workbooks opened. ``foreign`` are the other kind of organisation's words, which no page may show outside
    the ``shared`` texts."""
    queue, seen, per_kind, problems = [start], {start}, Counter(), {}
    opened = Counter()
    while queue:
        url = queue.pop(0)
        kind = _kind(url)
        if per_kind[kind] >= PER_KIND:
            continue
        per_kind[kind] += 1
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
        opened["pages"] += 1
        # a download (an attachment) streams its file: read to the end, it is closed, as a browser's would be
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            problems[url] = [f"HTTP {response.status_code}"]
            continue
        content_type = response.get("Content-Type", "")
        if content_type.startswith(XLSX):
            text = _workbook_text(content)
            opened["workbooks"] += 1
        elif content_type.startswith("text/html"):
            page = content.decode()
            text = visible_text(page)
            for link in _links(page, url):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
        else:
            continue
        found = leaks(text, codes) + ENGLISH.findall(text)
        own = text
        for words in shared:
            own = own.replace(words, " ")
        found += [f"«{word}»" for word in foreign if word in own]
        whole_page = content_type.startswith("text/html") and "<html" in content.decode()
        if whole_page and not re.search(r"[\u4e00-\u9fff]", text):  # an htmx fragment may well be empty
            found.append("no Chinese")
        if found:
            problems[url] = found
    return problems, opened


def test_every_demo_login_walks_every_page_in_chinese(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--cases-per-court", "60")
    # officer numbers (干警编号) are shown beside names and are not codes
    codes = _enum_values() - set(Officer.objects.values_list("officer_id", flat=True))
    problems, opened = {}, {}
    # a situation shown to both kinds speaks neither's words; those that do are one kind's (issue 18)
    shared = ()
    logins = [(name, PROCURATORATE_WORDS) for name, _ in demo.DEMO_LOGINS]
    logins += [(name, COURT_WORDS) for name, _ in demo_procuratorate.LOGINS]
    for username, foreign in logins:
        client = Client()
        assert client.login(username=username, password=settings.QUANZE_DEMO_PASSWORD), username
        found, opened[username] = walk(client, codes, foreign=foreign, shared=shared)
        problems |= {f"{username} {url}": words for url, words in found.items()}
    assert problems == {}
    assert all(count["pages"] >= 10 for count in opened.values()), opened  # every login goes beyond its home
    assert opened["president1"]["workbooks"] >= 1 and opened["evaluator1"]["workbooks"] >= 1, opened
    assert opened["procurator1"]["workbooks"] >= 1, opened


def test_the_walk_finds_dead_links_and_leaks(world):
    """The walker itself: it follows links and htmx addresses, and reports a dead end and a leaked code."""
    client = Client()
    client.force_login(world.judge.user)
    assert _links('<a href="/cases/mine/?page=2&amp;q=x">下一页</a><div hx-get="/notifications/"></div>', "/home/") == [
        "/cases/mine/?page=2&q=x",
        "/notifications/",
    ]
    assert _links('<a href="/admin/">管理</a><a href="https://example.org/">外</a>', "/home/") == []
    problems, opened = walk(client, {"ruling_signed"}, start="/cases/no-such-page/")
    assert problems == {"/cases/no-such-page/": ["HTTP 404"]} and opened == {"pages": 1}
    assert leaks(visible_text("<td>ruling_signed</td>"), {"ruling_signed"}) == ["ruling_signed"]
    assert ENGLISH.findall(visible_text("<p>导出 Excel 文件</p><p>Review of arrest</p>")) == ["Review of arrest"]
