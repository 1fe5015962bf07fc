"""The English catalogue (locale/en): every string the portal marks for translation has a
reviewed English text (none empty, none fuzzy, placeholders kept), the committed .mo is the
compiled .po, and the new pages (circles, projects, to-dos, notifications) read in English
once a user picks English.

Data values (organisation and circle names, people) stay Chinese by nature, so the page checks
look at the portal's own labels: the navigation, headings, table headers and buttons.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from promotion.models import QualityCommittee
from qcportal.tenancy import no_tenant
from tests.factories import api_token

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+(?::\w+)?\}")
#: Folders of the project whose Python files and templates are translated (not .venv etc.).
SOURCE_DIRS = ("circles", "evaluation", "promotion", "qcportal", "reports", "templates")
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}


def _unquote(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgstr (plurals are not used) and flags."""
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": "", "msgstr": "", "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += _unquote(line[1:-1])
        else:
            key, _space, value = line.partition(" ")
            assert key in ("msgctxt", "msgid", "msgstr"), f"unexpected line in {path.name}: {raw!r}"
            entry[key] = _unquote(value[1:-1])
    return [e for e in entries if e["msgid"]]  # without the header


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return parse_po(LOCALE / "django.po")


def _source_msgids() -> set[tuple[str | None, str]]:
    """(context, msgid) of every literal string the Python code and templates mark for
    translation, as makemessages extracts them."""
    found = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in GETTEXT_CALLS:
                    continue
                args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
                if name.startswith("pgettext") and len(args) >= 2 and isinstance(args[1], str):
                    found.add((args[0], args[1]))
                elif not name.startswith("pgettext") and isinstance(args[0], str):
                    found.add((None, args[0]))
    simple = re.compile(r"""\{%\s*trans(?:late)?\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?[^%]*%\}""")
    underscore = re.compile(r"""_\((["'])(.*?)\1\)""")
    block = re.compile(
        r"\{%\s*blocktrans(?:late)?\b[^%]*%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.DOTALL
    )
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found.update(
            (m.group(4), m.group(2).replace("%", "%%")) for m in simple.finditer(text)
        )  # as Django looks them up
        found.update((None, m.group(2)) for m in underscore.finditer(text))
        for m in block.finditer(text):
            body = m.group(1).replace("%", "%%")
            found.add((None, re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body)))
    return found


def test_every_entry_is_translated_and_reviewed(catalogue):
    assert len(catalogue) > 800
    empty = [e["msgid"] for e in catalogue if not e["msgstr"].strip()]
    fuzzy = [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]]
    assert not empty, f"{len(empty)} entries without English text: {empty[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (not used at run time): {fuzzy[:10]}"


def test_translations_keep_placeholders_and_read_as_english(catalogue):
    for e in catalogue:
        assert sorted(PLACEHOLDER.findall(e["msgid"])) == sorted(PLACEHOLDER.findall(e["msgstr"])), e
        assert not CJK.search(e["msgstr"]), f"Chinese left in the English text: {e}"


def test_every_marked_string_of_the_source_is_in_the_catalogue(catalogue):
    known = {(e["msgctxt"], e["msgid"]) for e in catalogue}
    missing = sorted(_source_msgids() - known, key=str)
    assert not missing, (
        f"{len(missing)} strings are not in locale/en (run makemessages -l en --no-obsolete "
        f"and translate them): {missing[:10]}"
    )


def test_the_committed_mo_is_the_compiled_po(catalogue):
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e["msgid"]
        for e in catalogue
        if (compiled.pgettext(e["msgctxt"], e["msgid"]) if e["msgctxt"] else compiled.gettext(e["msgid"]))
        != e["msgstr"]
    ]
    assert not stale, f"django.mo is out of date (run compilemessages -l en): {stale[:10]}"


# --- the pages in English ----------------------------------------------------------------
def _english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _between(body: str, start: str, end: str) -> str:
    begin = body.index(start)
    return body[begin : body.index(end, begin)]


def _headings(body: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", body, re.S)]


def _no_chinese(texts, where):
    chinese = [t for t in texts if CJK.search(t)]
    assert not chinese, f"Chinese in {where}: {chinese}"


@pytest.mark.django_db
def test_circles_and_projects_lists_in_english(login, network):
    client = _english(login(network.users.e1_coord))
    circles = client.get(reverse("circles:circle-list"))
    assert circles.status_code == 200
    body = circles.content.decode()
    assert '<html lang="en">' in body
    navigation = _between(body, '<ul class="navbar-nav me-auto">', "</ul>")
    _no_chinese([navigation], "the navigation")
    for label in ("Home", "QC circles", "Projects", "Activity records", "Promotion structure"):
        assert f">{label}</a>" in navigation
    assert '<h1 class="h3 mb-0">QC circles</h1>' in body
    for label in ("Register QC circle", "Bulk import", "Export to Excel", "Filter", "Registration year"):
        assert label in body
    _no_chinese(_headings(body), "the headings")
    _no_chinese(re.findall(r"<th[^>]*>(.*?)</th>", body, re.S), "the table headers")

    projects = client.get(reverse("circles:project-list")).content.decode()
    assert '<h1 class="h3 mb-3">Projects</h1>' in projects
    for label in ("Project title", "Application date", "Planned completion", "Overdue", "Export to Excel"):
        assert label in projects
    _no_chinese(_headings(projects), "the headings")
    _no_chinese(re.findall(r"<th[^>]*>(.*?)</th>", projects, re.S), "the table headers")


@pytest.mark.django_db
def test_home_to_dos_project_workflow_and_notifications_in_english(login, network):
    with no_tenant():
        token = api_token(network.users.e1_leader)
    leader = APIClient()
    leader.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = leader.post(
        "/api/v1/projects/",
        {"circle": network.circles[0].pk, "title": "降低能耗", "project_type": "innovation"},
        format="json",
    )
    assert created.status_code == 201
    client = _english(login(network.users.e1_coord))

    home = client.get(reverse("home")).content.decode()
    todos = _between(home, 'data-testid="todos"', "</div></div>")
    assert "To do" in todos and "Project registrations to review" in todos
    _no_chinese([todos], "the to-do list")

    detail = client.get(reverse("circles:project-detail", args=[created.json()["id"]])).content.decode()
    for label in (
        "Awaiting project registration review",
        "Available actions",
        "Approve and register project",
        "Confirm: Approve and register project",
        "Registration refused",
        "Workflow history",
        "Activity procedure",
        "(assigned after project registration review)",
    ):
        assert label in detail, label
    _no_chinese([h for h in _headings(detail) if h != "降低能耗"], "the headings")  # but the title

    notifications = client.get(reverse("notification-list")).content.decode()
    assert "Notifications" in notifications and "Mark all as read" in notifications
    assert "submitted the application for project “降低能耗”; awaiting project registration review" in (
        notifications
    )


@pytest.mark.django_db
def test_promotion_structure_in_english(login, network):
    client = _english(login(network.users.e1_coord))
    page = client.get(reverse("promotion:structure")).content.decode()
    for label in (
        "Promotion structure",
        "Decision layer",
        "Management layer",
        "Execution layer",
        "(DB43 §5)",
    ):
        assert label in page, label
    with no_tenant():
        committee = QualityCommittee.objects.filter(organisation=network.e1).first()
    data = {committee.name} if committee else set()  # a committee's name is data
    _no_chinese([h for h in _headings(page) if h not in data], "the headings")


@pytest.mark.django_db
def test_chinese_stays_the_default(login, network):
    body = login(network.users.e1_coord).get(reverse("circles:circle-list")).content.decode()
    assert '<html lang="zh-CN">' in body and ">QC小组</a>" in body and "导出Excel" in body
