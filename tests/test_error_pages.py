"""The product's own error pages (issue 19 item 7): Chinese first, the refusal's reason on a 403, no URL list on
a 404 even with DEBUG on (``make run``), a standalone 500, and a top bar that needs no emoji font."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory, override_settings
from django.views.defaults import server_error

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_judge_opening_the_supervision_inbox_gets_the_reason_in_chinese(world):
    response = client_for(world.judge).get("/cases/supervision/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'id="error-403"' in page and "您无权进行此项操作" in page
    assert '<p id="error-reason">督办收件箱仅供院长、庭长使用。</p>' in page
    assert "Forbidden" not in page


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_page_is_the_products_404_and_never_lists_the_urls(world, debug):
    with override_settings(DEBUG=debug):
        response = client_for(world.judge).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-404"' in page and "页面不存在，或您无权查看" in page
    assert "urlpatterns" not in page and "DEBUG = True" not in page and "cases/" not in page.split("<main")[1]
    assert "no-such-page" not in page  # the address asked for is not echoed (a record's id would be)


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_address_keeps_the_apis_error_body(world, debug):
    with override_settings(DEBUG=debug):
        response = client_for(world.judge).get("/api/no-such-thing/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_500_page_stands_alone_in_chinese():
    page = server_error(RequestFactory().get("/")).content.decode()
    assert 'id="error-500"' in page and "系统出现错误" in page and "/static/css/quanze.css" in page


def test_the_top_bar_has_an_icon_and_a_bell_that_need_no_emoji_font(world):
    page = client_for(world.judge).get("/", follow=True).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page and "/static/img/bell.svg" in page
    assert "🔔" not in page
    assert finders.find("img/favicon.svg") and finders.find("img/bell.svg")
