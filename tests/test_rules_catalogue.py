"""docs/rules.md points at code and tests that exist, and the documents the code cites are in
docs/ (a fresh clone has no dangling reference).

The catalogue is a Markdown table, one row per rule (``| R-A3-02 | rule | source | code |
tests |``); the code and tests columns hold back-quoted dotted paths and
``tests/path.py::test_name`` references.
"""

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CATALOGUE = DOCS / "rules.md"
APPS = ("qcportal", "promotion", "circles", "evaluation", "reports")
#: Where the project's Python and template files live (checked for citations).
SOURCE_DIRS = (*APPS, "templates", "tests", "benchmarks", "scripts")
RULE_ID = re.compile(r"^R-(A1|A3|A4|A5|S1|S2|S3|ST|PT|JD|SC|PL|TR|CF|KB|HN|CT|IM)-\d{2}$")
TICKED = re.compile(r"`([^`]+)`")


def catalogue_rows() -> list[dict]:
    """The rows of docs/rules.md: ``{"id", "rule", "source", "code": [...], "tests": [...]}``."""
    rows = []
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| R-"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 5, f"a catalogue row has five columns: {line}"
        rule_id, rule, source, code, tests = cells
        rows.append(
            {
                "id": rule_id,
                "rule": rule,
                "source": source,
                "code": TICKED.findall(code),
                "tests": TICKED.findall(tests),
            }
        )
    return rows


ROWS = catalogue_rows()
CODE_REFS = [(row["id"], path) for row in ROWS for path in row["code"]]
TEST_REFS = [(row["id"], ref) for row in ROWS for ref in row["tests"]]


def resolve(dotted: str):
    """Import the longest importable module prefix of ``dotted`` and follow the rest as
    attributes; raises ``ImportError`` or ``AttributeError`` when something is missing."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        module_name = ".".join(parts[:end])
        try:
            obj = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # not a module: try a shorter prefix
            raise
        for attribute in parts[end:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(f"no module in {dotted!r}")


@cache
def defined_tests(path: str) -> frozenset[str]:
    """The test functions of a test file (``test_x`` and ``TestClass::test_y``), parsed."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test_")
            )
    return frozenset(names)


def test_catalogue_has_rows_with_unique_ids_and_code():
    assert len(ROWS) >= 30, "docs/rules.md lists the rules the code implements"
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids)), "rule ids are unique"
    for row in ROWS:
        assert RULE_ID.match(row["id"]), f"{row['id']}: ids look like R-A3-02"
        assert row["rule"] and row["source"], f"{row['id']}: the rule and its source are stated"
        assert row["code"], f"{row['id']}: names the code that implements it"


@pytest.mark.parametrize(("rule_id", "dotted"), CODE_REFS, ids=[f"{i}:{d}" for i, d in CODE_REFS])
def test_listed_code_exists(rule_id, dotted):
    assert dotted.split(".")[0] in APPS, f"{rule_id}: {dotted} is not in one of the apps"
    resolve(dotted)


@pytest.mark.parametrize(("rule_id", "ref"), TEST_REFS, ids=[f"{i}:{r}" for i, r in TEST_REFS])
def test_listed_test_exists(rule_id, ref):
    path, _, name = ref.partition("::")
    assert path.startswith("tests/") and path.endswith(".py") and name, f"{rule_id}: {ref} is path::test"
    assert (ROOT / path).is_file(), f"{rule_id}: {path} does not exist"
    assert name in defined_tests(path), f"{rule_id}: {path} has no test function {name}"


def test_sources_are_documents_in_docs():
    """Every source names a seed that docs/seeds/ holds, or a document of docs/; the portal's
    own rules (``R-PT``, and ``R-SC`` of issue 9) name the issue or the brief that asks for them."""
    for row in ROWS:
        if row["id"].startswith(("R-PT-", "R-SC-")):
            assert re.search(r"issue \d+|brief", row["source"]), f"{row['id']}: the source names an issue"
            continue
        seeds = re.findall(r"seed (\d{3})", row["source"])
        documents = re.findall(r"([a-z]+\.md)", row["source"])
        assert seeds or documents, f"{row['id']}: the source names a seed or a document"
        for number in seeds:
            assert list((DOCS / "seeds").glob(f"{number}_*.txt")), f"{row['id']}: seed {number} missing"
        for document in documents:
            assert (DOCS / document).is_file(), f"{row['id']}: docs/{document} missing"


def project_files():
    """The project's Python and template files (this test file excluded)."""
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".sh"} and path != Path(__file__).resolve():
                yield path


def test_no_file_cites_the_shared_folder():
    """Code cites docs/, never the shared folder outside the repository."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in project_files()
        if re.search(r"\.\./shared|/work/shared", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_cited_documents_and_seeds_are_in_docs():
    """Every ``*.md`` document and every seed number cited by code, tests or the README exists
    in docs/ (``README.md`` is the repository's own)."""
    missing = set()
    for path in [*project_files(), ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8")
        for document in set(re.findall(r"\b([a-z][a-z-]*\.md)\b", text)):
            if document != "readme.md" and not (DOCS / document).is_file():
                missing.add(f"{path.relative_to(ROOT)}: {document}")
        for number in set(re.findall(r"\b[Ss]eeds? (\d{3})\b", text)):
            if not list((DOCS / "seeds").glob(f"{number}_*.txt")):
                missing.add(f"{path.relative_to(ROOT)}: seed {number}")
    assert sorted(missing) == []


def test_seed_index_maps_every_number_to_its_file():
    """docs/seeds/README.md names every seed file, so "seed 002" resolves to one file."""
    index = (DOCS / "seeds" / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in (DOCS / "seeds").glob("*.txt"))
    assert files, "docs/seeds/ holds the seed texts"
    for name in files:
        assert name in index, f"docs/seeds/README.md does not list {name}"


def test_every_workflow_guard_names_a_catalogued_rule():
    """Each guard of every declared workflow refuses naming its rule: the rule's id is a row
    of docs/rules.md (so a refusal can be traced to its source, code and tests)."""
    from qcportal.workflow import WORKFLOWS

    ids = {row["id"] for row in ROWS}
    missing = sorted(
        {
            f"{entity}.{t.name}: {g.rule}"
            for entity, workflow in WORKFLOWS.items()
            for t in workflow.transitions.values()
            for g in t.guards
            if g.rule not in ids
        }
    )
    assert not missing, missing
