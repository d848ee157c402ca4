"""The browser side of the spine: Chinese login at /, per-role home, logout, language switch."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from accountability.compile_messages import parse_po, write_mo
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_login_page_is_chinese_by_default(client: Client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录权责系统" in html
    assert 'lang="zh-hans"' in html
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client: Client):
    assert "登录权责系统" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()


def test_wrong_password_is_refused_with_a_message(world, client: Client):
    response = client.post("/", {"username": "judge", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_judge_logs_in_and_sees_their_home(world, client: Client):
    world.case()
    world.case(lead_officer=world.judge2)
    response = client.post("/", {"username": "judge", "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/home/", 302)]
    assert "王法官" in html and "上海市黄浦区人民法院" in html
    assert 'id="stat-open">2<' in html  # leads one, sits on the other's panel
    assert 'id="stat-mine">1<' in html
    assert "办案" in html and "监督管理" not in html


def test_president_home_shows_supervision(world, client: Client):
    world.case()
    client.force_login(world.president.user)
    html = client.get("/home/").content.decode()
    assert "监督管理" in html and 'id="stat-open">1<' in html


def test_home_requires_login(client: Client):
    response = client.get("/home/")
    assert (response.status_code, response.url) == (302, "/?next=/home/")


def test_logout_ends_the_session(world, client: Client):
    client.force_login(world.judge.user)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/home/").status_code == 302


def test_language_switch_to_english_and_back(client: Client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in to Quanze" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "登录权责系统" in client.get("/").content.decode()


def test_message_compiler_matches_the_catalogue(tmp_path):
    mo = tmp_path / "django.mo"
    write_mo(parse_po(PO.read_text(encoding="utf-8")), mo)
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Log in") == "登录"
    assert (
        catalogue.gettext("Refused by power-list item %(code)s: %(title)s") == "权责清单事项 %(code)s 不允许：%(title)s"
    )
    if shutil.which("msgfmt"):  # where GNU gettext exists, both compilers agree on every message
        reference = tmp_path / "ref.mo"
        subprocess.run(["msgfmt", "-o", str(reference), str(PO)], check=True)
        with reference.open("rb") as handle:
            expected = gettext.GNUTranslations(handle)
        ours = {k: v for k, v in catalogue._catalog.items() if k != ""}
        theirs = {k: v for k, v in expected._catalog.items() if k != ""}
        assert ours == theirs


def test_every_message_has_a_chinese_translation():
    """A new string without its translation would show English in the Chinese interface."""
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    entries = [
        block
        for block in text.split("\n\n")
        if "\nmsgid " in f"\n{block}" and 'msgid ""\nmsgstr ""\n"Project' not in block
    ]
    untranslated = [block for block in entries if block.rstrip().endswith('msgstr ""')]
    assert untranslated == []
