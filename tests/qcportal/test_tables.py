"""Every table of the portal sits in a ``.table-responsive`` container (it scrolls sideways on
a phone instead of squeezing its cells); the browser check is tests/e2e/test_layout.py."""

from html.parser import HTMLParser
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: The official forms are laid out for paper by WeasyPrint, not for screens.
PAPER = TEMPLATES / "reports" / "pdf"


class TableFinder(HTMLParser):
    """Records each ``<table>`` and whether an enclosing ``<div>`` is ``.table-responsive``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.divs: list[bool] = []
        self.tables: list[tuple[int, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            self.divs.append("table-responsive" in (dict(attrs).get("class") or "").split())
        elif tag == "table":
            self.tables.append((self.getpos()[0], any(self.divs)))

    def handle_endtag(self, tag):
        if tag == "div" and self.divs:
            self.divs.pop()


def test_every_table_is_in_a_table_responsive_container():
    unwrapped = []
    checked = 0
    for path in sorted(TEMPLATES.rglob("*.html")):
        if PAPER in path.parents:
            continue
        finder = TableFinder()
        finder.feed(path.read_text(encoding="utf-8"))
        checked += len(finder.tables)
        unwrapped += [
            f"{path.relative_to(TEMPLATES)}:{line}" for line, wrapped in finder.tables if not wrapped
        ]
    assert checked >= 15
    assert unwrapped == []


def test_django_tables2_tables_are_rendered_inside_a_table_responsive_container():
    rendered = 0
    for path in TEMPLATES.rglob("*.html"):
        parts = path.read_text(encoding="utf-8").split("{% render_table")
        for before in parts[:-1]:
            rendered += 1
            assert before.rstrip().endswith('<div class="table-responsive">'), path
    assert rendered >= 1
