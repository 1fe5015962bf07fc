"""No redundant index in the migrated schema (issue 10 item 5): an index whose key columns are
the leading columns of another index of the same table (Django's automatic foreign-key index
under a composite index or unique pair starting with that column, an explicit ``Index`` that is
a prefix of another) costs writes and memory and serves nothing. The check reads ``pg_index``
of the test database, which pytest-django built by running every migration."""

import pytest
from django.db import connection

from qcportal.db import redundant_indexes, schema_indexes

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="reads PostgreSQL's pg_index (the suite runs on PostgreSQL)"
)

#: Tables the project does not shape: Django's and third-party apps' own tables, and the
#: implicit many-to-many tables of the fields ``User`` inherits from Django's PermissionsMixin
#: (``groups``, ``user_permissions``; unused by the portal, so empty). Each keeps Django's
#: index on the first column of its unique pair.
NOT_OURS = ("auth_", "axes_", "django_", "otp_", "qcportal_user_groups", "qcportal_user_user_permissions")


@pytest.mark.django_db
def test_the_migrated_schema_has_no_redundant_index():
    found = [r for r in redundant_indexes(schema_indexes()) if not r.table.startswith(NOT_OURS)]
    assert found == [], "drop these (db_index=False on the foreign key, or remove the Index):\n" + "\n".join(
        map(str, found)
    )


@pytest.mark.django_db
def test_the_check_finds_prefixes_and_keeps_what_enforces_a_rule():
    """The check itself: on a scratch table (rolled back with the test) it reports a prefix
    index and an exact duplicate, and keeps unique constraints, partial and pattern indexes."""
    statements = [
        "CREATE TABLE idxcheck (a int, b int, c varchar(10), d int)",
        "CREATE INDEX idxcheck_a ON idxcheck (a)",  # prefix of (a, b): redundant
        "CREATE INDEX idxcheck_a_b ON idxcheck (a, b)",
        "CREATE INDEX idxcheck_d1 ON idxcheck (d)",  # two identical indexes: one is reported
        "CREATE INDEX idxcheck_d2 ON idxcheck (d)",
        "CREATE UNIQUE INDEX idxcheck_b_uniq ON idxcheck (b)",  # enforces a rule: kept
        "CREATE INDEX idxcheck_b_a ON idxcheck (b, a)",
        "CREATE INDEX idxcheck_c ON idxcheck (c)",
        "CREATE INDEX idxcheck_c_like ON idxcheck (c varchar_pattern_ops)",  # other operator class
        "CREATE INDEX idxcheck_c_d ON idxcheck (c, d)",  # makes idxcheck_c redundant
        "CREATE INDEX idxcheck_a_part ON idxcheck (a) WHERE d > 0",  # partial: kept
        "CREATE INDEX idxcheck_a_desc ON idxcheck (a DESC)",  # other order: kept
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    found = {(r.index, r.covered_by) for r in redundant_indexes(schema_indexes()) if r.table == "idxcheck"}
    assert found == {
        ("idxcheck_a", "idxcheck_a_b"),
        ("idxcheck_d2", "idxcheck_d1"),
        ("idxcheck_c", "idxcheck_c_d"),
    }
