"""The knowledge base, honours and certificates in a real browser (issue 11 items 3–5).

- The enterprise coordinator finds its accepted result by a Chinese word and shares it with
  everyone; another enterprise finds it and records that it adopted it.
- After the grades are published, the association's staff nominates the graded circles, its
  leadership approves one, the staff issues the campaign's certificates; the QR code of one
  (the URL decoded from the PNG) opens the public verification page, which says 已撤销 once
  the staff revokes the certificate.
"""

import io
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from evaluation.library import library_index
from evaluation.models import Submission
from qcportal.tenancy import no_tenant
from tests.e2e.test_circles import nav, take
from tests.evaluation.test_honours import published_grades

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_result_is_found_shared_and_adopted(network, sign_in):
    with no_tenant():
        submission = Submission.objects.get(pk=network.submissions[0].pk)
        Submission.objects.filter(pk=submission.pk).update(
            introduction="小组攻关齿轮箱渗漏，渗漏率降至0.4%。"
        )
    library_index(submission.project_id)

    coord = sign_in("e1_coord")
    nav(coord, "成果知识库")
    coord.fill("[data-testid=library-search] input[name=q]", "渗漏")
    coord.locator("[data-testid=library-search] button").click()
    results = coord.locator("[data-testid=library-results] a")
    expect(results).to_have_count(1)
    results.first.click()
    coord.select_option("[data-testid=share-form] select", "everyone")
    coord.click("[data-testid=share]")
    expect(coord.locator(".alert-success")).to_contain_text("已更新共享范围")

    other = sign_in("e4_coord")
    nav(other, "成果知识库")
    other.fill("[data-testid=library-search] input[name=q]", "渗漏")
    other.locator("[data-testid=library-search] button").click()
    other.locator("[data-testid=library-results] a").first.click()
    other.fill("#id_place", "装配车间")
    other.fill("#id_effect", "借鉴其密封改进，渗漏率下降六成。")
    other.fill("#id_benefit", "3.5")
    other.click("[data-testid=adopt]")
    expect(other.locator("[data-testid=adoptions]")).to_contain_text("装配车间")
    expect(other.locator("[data-testid=adoptions]")).to_contain_text("另一丁化工有限公司")


def test_grades_become_honours_and_verifiable_certificates(network, sign_in, browser, live_server):
    published_grades(network)

    staff = sign_in("pa_staff")
    nav(staff, "表彰与证书")
    staff.locator("[data-testid=from-grades] button").click()
    expect(staff.locator(".alert-success")).to_contain_text("已按评审等级提名 2 个QC小组")
    staff.locator("[data-testid=honours] a").first.click()
    take(staff, "submit")
    expect(staff.locator("[data-testid=honour-status]")).to_contain_text("待审批")
    honour_url = staff.url

    leader = sign_in("pa_leader")
    leader.goto(honour_url)
    take(leader, "approve")
    expect(leader.locator("[data-testid=honour-status]")).to_contain_text("已批准")

    nav(staff, "表彰与证书")
    staff.click("[data-testid=certificates]")
    staff.locator("[data-testid=issue]").click()
    expect(staff.locator(".alert-success")).to_contain_text("已颁发 2 张证书")
    staff.locator("[data-testid=certificates] a").first.click()
    number = staff.locator("[data-testid=certificate-number]").inner_text()
    qr = staff.request.get(
        live_server.url + staff.locator("[data-testid=certificate-qr]").get_attribute("href")
    )
    assert qr.ok
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.body())))[0].text
    assert url.endswith(f"/verify/{number}")

    public = browser.new_context().new_page()  # anyone shown the certificate: no login
    public.goto(live_server.url + urlsplit(url).path)
    expect(public.locator("[data-testid=verify-status]")).to_contain_text("有效")
    expect(public.locator("[data-testid=verify-result]")).to_contain_text(number)

    take(staff, "revoke", comment="获奖成果存在抄袭")
    expect(staff.locator("[data-testid=certificate-status]")).to_have_text("已撤销")
    public.reload()
    expect(public.locator("[data-testid=verify-status]")).to_contain_text("已撤销")
    expect(public.locator("body")).not_to_contain_text("抄袭")
    public.context.close()
