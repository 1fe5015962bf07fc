"""Benchmark: the knowledge base's Chinese full-text search at national scale (issue 11 item 3,
rule R-KB-01).

On the PostgreSQL database of ``DATABASE_URL``, in a scratch table of the same shape as
``evaluation_libraryentry.search_text`` (``--rows`` entries, default 300,000, each about
``--words`` segmented words drawn from a vocabulary of result-report words, with the search
term placed in one entry in ``--hit-every``), it builds the same GIN expression index as
migration ``evaluation/0011_library`` and times, over ``--repeat`` runs:

- ``fts``: the statement of :func:`evaluation.library.library_search` for a two-character
  word (``to_tsvector('simple', …) @@ plainto_tsquery('simple', …)``, ranked by ``ts_rank``,
  first page of 20);
- ``fts rare``: the same for a word that stands in a handful of entries;
- floor ``substring``: the naive way, ``search_text LIKE '%word%'`` over the same rows (the
  SQLite fallback's statement), first page of 20.

Prints the medians, the ratio of each to the floor and the plan's index use. The scratch table
is temporary (dropped with the connection). Prints figures only; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from evaluation.library import segment  # noqa: E402

VOCABULARY_TEXT = (
    "降低焊接不良率 提高装配一次合格率 缩短换型时间 减少设备故障停机 降低能耗 提高检测准确率 "
    "现状调查 目标设定 原因分析 要因确认 制定对策 对策实施 效果检查 巩固措施 总结和下一步打算 "
    "因果图 排列图 关联图 系统图 直方图 控制图 散布图 调查表 头脑风暴 矩阵图 "
    "生产线 车间 工装 夹具 模具 工艺参数 作业指导书 标准化 培训 经济效益 质量成本 返工 返修 "
    "客户投诉 交付周期 库存 物流 仓储 安全 环境 班组 员工 技能 创新 改进 成果 发表"
)
SEARCH = "焊接"
RARE = "渗漏"


def median_ms(sql: str, params, repeat: int) -> float:
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--words", type=int, default=120)
    parser.add_argument("--hit-every", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (DATABASE_URL=postgres://…)")
    vocabulary = sorted(set(segment(VOCABULARY_TEXT)) - {SEARCH, RARE})
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "CREATE TEMP TABLE bench_library (id bigserial PRIMARY KEY, search_text text NOT NULL)"
        )
        cursor.execute(
            """
            INSERT INTO bench_library (search_text)
            SELECT (SELECT string_agg((%s::text[])[1 + floor(random() * %s)::int], ' ')
                    FROM generate_series(1, %s) WHERE g > 0)
                   || CASE WHEN g %% %s = 0 THEN ' 焊接' ELSE '' END
                   || CASE WHEN g %% 100000 = 7 THEN ' 渗漏' ELSE '' END
            FROM generate_series(1, %s) AS g
            """,
            [vocabulary, len(vocabulary), args.words, args.hit_every, args.rows],
        )
        cursor.execute(
            "ALTER TABLE bench_library ADD COLUMN search_vector tsvector; "
            "UPDATE bench_library SET search_vector = to_tsvector('simple'::regconfig, COALESCE(search_text, ''))"
        )
        cursor.execute("CREATE INDEX bench_library_fts ON bench_library USING gin (search_vector)")
        cursor.execute("ANALYZE bench_library")
        built = time.perf_counter() - started
    fts = (
        "SELECT id, ts_rank(search_vector, q) AS rank "
        "FROM bench_library, plainto_tsquery('simple'::regconfig, %s) q "
        "WHERE search_vector @@ q "
        "ORDER BY rank DESC, id DESC LIMIT 20"
    )
    floor = "SELECT id FROM bench_library WHERE search_text LIKE %s ORDER BY id DESC LIMIT 20"
    words = " ".join(segment(SEARCH))
    rare = " ".join(segment(RARE))
    results = {
        "fts": median_ms(fts, [words], args.repeat),
        "fts rare": median_ms(fts, [rare], args.repeat),
        "substring (floor)": median_ms(floor, [f"%{SEARCH}%"], args.repeat),
        "substring rare": median_ms(floor, [f"%{RARE}%"], args.repeat),
    }
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + fts, [rare])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(
        f"rows {args.rows:,}, ~{args.words} words each, '{SEARCH}' in 1/{args.hit_every}; built in {built:.1f} s"
    )
    for name, value in results.items():
        print(f"{name:>20}: {value:8.1f} ms")
    print(f"{'fts / floor':>20}: {results['fts'] / results['substring (floor)']:.2f}×")
    print(f"{'fts rare / floor':>20}: {results['fts rare'] / results['substring rare']:.3f}×")
    print("index used:", "bench_library_fts" in plan)


if __name__ == "__main__":
    main()
