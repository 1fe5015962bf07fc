"""The campaign panel in a real browser (issue 7, item 10): the countdown computed on the
server stays right after static/js/campaign.js refreshes it, with no script error, and an
announcement published by the province's staff reaches the enterprise's home."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_countdown_and_announcement(network, live_campaign, signed_in, live_server):
    errors = []
    page = signed_in("pa_staff")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/announcements/new/")
    page.fill("#id_title", "关于开展本年度成果申报的通知")
    page.fill("#id_body", "请各单位按时申报。")
    page.click("button[name=publish]")
    expect(page.locator("[data-testid=announcement-title]")).to_contain_text("关于开展本年度成果申报的通知")

    page.context.clear_cookies()
    page = signed_in("e1_coord")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    deadline = timezone.localdate() + dt.timedelta(days=10)
    expect(page.locator("[data-testid=countdown]")).to_have_text(
        f"距“成果申报”截止还有 10 天（{deadline:%Y-%m-%d}）"
    )
    expect(page.locator("[data-testid=current-stage]")).to_contain_text("成果申报")
    expect(page.locator("[data-testid=home-announcements]")).to_contain_text("关于开展本年度成果申报的通知")
    assert errors == []
