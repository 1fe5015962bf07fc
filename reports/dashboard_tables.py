"""The tables of a dashboard (issue 10 item 3: every chart also as a table, accessible,
printable, exportable to Excel): one :class:`Table` per chart or ranking, built from the
output of :func:`reports.dashboards.dashboard`. The page renders them under the charts
(``templates/reports/dashboard.html``) and the Excel export writes one sheet per table
(``reports/exporters/dashboard.py``), so both show the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import dashboards as d


@dataclass(frozen=True)
class TableColumn:
    """A column: ``key`` of the row dict, Chinese ``header`` (with the unit) and ``kind``:
    ``text``, ``int`` (a count), ``money`` (万元, 2 places), ``rate`` (%, 2 places, ``—`` when
    missing), ``change`` (同比 in %, signed) or ``points`` (同比 in percentage points, signed)."""

    key: str
    header: str
    kind: str = "int"


@dataclass(frozen=True)
class Table:
    """One table: ``key`` (its anchor and the ``table`` parameter of the export), ``title``,
    ``note`` (the period and how current it is: every figure is labelled with both),
    ``columns`` and ``rows`` (dicts; a row's ``code`` and ``level`` make its first cell a
    drill-down link when ``drill`` is set)."""

    key: str
    title: str
    note: str
    columns: tuple[TableColumn, ...]
    rows: list[dict] = field(default_factory=list)
    drill: bool = False


def _figure_columns(*, first: TableColumn) -> tuple[TableColumn, ...]:
    return (
        first,
        TableColumn("circles_registered", _("注册小组数（个）")),
        TableColumn("members", _("参加QC小组人数（人）")),
        TableColumn("total_employees", _("职工总数（人）")),
        TableColumn("participation_rate", _("普及率（%）"), "rate"),
        TableColumn("circles_active", _("坚持活动的小组数（个）")),
        TableColumn("results", _("成果数（项）")),
        TableColumn("circles_with_results", _("取得成果小组数（个）")),
        TableColumn("results_rate", _("成果率（%）"), "rate"),
        TableColumn("benefit", _("可计算的经济效益（万元）"), "money"),
        TableColumn("qc_activity_spending", _("活动经费投入（万元）"), "money"),
        TableColumn("reward_spending", _("奖励费用（万元）"), "money"),
        TableColumn("graded", _("获评等级成果（项）")),
    )


#: The headline figures in the order of the key-figure cards: (key, label, unit, kind).
HEADLINE = (
    ("circles_registered", _("注册QC小组数"), _("个"), "int"),
    ("circles_cumulative", _("累计注册QC小组数"), _("个"), "int"),
    ("members", _("参加QC小组人数"), _("人"), "int"),
    ("participation_rate", _("QC小组普及率"), "%", "rate"),
    ("circles_active", _("坚持活动的QC小组数"), _("个"), "int"),
    ("results", _("成果数"), _("项"), "int"),
    ("results_rate", _("QC小组成果率"), "%", "rate"),
    ("benefit", _("可计算的经济效益"), _("万元"), "money"),
    ("benefit_cumulative", _("累计可计算的经济效益"), _("万元"), "money"),
    ("spending", _("活动经费及奖励投入"), _("万元"), "money"),
    ("graded", _("获评等级的成果"), _("项"), "int"),
)

BREAKDOWN_TITLES = {
    d.NATIONAL: _("按省市、行业质协"),
    d.ASSOCIATION: _("按推荐单位"),
    d.UNIT: _("按企业"),
}


def headline_rows(data: dict) -> list[dict]:
    """The key figures as rows (指标, 数值, 单位, 同比) for the key-figure cards and the first
    table; the change is the selected year's over the year before (from the trend)."""
    yoy = data["trends"][-1]["yoy"] if data["trends"] else {}
    rows = []
    for key, label, unit, kind in HEADLINE:
        change_kind = "points" if kind == "rate" else "change"
        rows.append(
            {
                "key": key,
                "label": str(label),
                "value": data["headline"][key],
                "unit": str(unit),
                "kind": kind,
                "yoy": yoy.get(key),
                "yoy_kind": change_kind,
                "has_yoy": key in yoy,
            }
        )
    return rows


def dashboard_tables(data: dict) -> list[Table]:
    """The tables of a dashboard, in the page's order. Input: :func:`reports.dashboards.dashboard`'s
    output. Output: the list of :class:`Table` (the breakdown, the map and the unit rankings
    only where the level has them)."""
    note = f"{data['period']['label']} · {data['freshness']['label']}"
    trend_note = f"{data['trend_period']} · {data['freshness']['label']}"
    level = data["organisation"]["level"]
    tables = [
        Table(
            "headline",
            _("主要指标"),
            note,
            (
                TableColumn("label", _("指标"), "text"),
                TableColumn("value", _("数值"), "value"),
                TableColumn("unit", _("单位"), "text"),
                TableColumn("yoy", _("同比"), "yoy"),
            ),
            headline_rows(data),
        )
    ]
    if level in BREAKDOWN_TITLES:
        tables.append(
            Table(
                "breakdown",
                str(BREAKDOWN_TITLES[level]),
                note,
                _figure_columns(first=TableColumn("name", _("名称"), "text")),
                data["breakdown"],
                drill=True,
            )
        )
    trend_columns = list(_figure_columns(first=TableColumn("year", _("年度"), "text")))
    trend_columns.insert(2, TableColumn("yoy.circles_registered", _("注册小组数同比（%）"), "change"))
    trend_columns.insert(8, TableColumn("yoy.results", _("成果数同比（%）"), "change"))
    trend_columns.insert(12, TableColumn("yoy.benefit", _("经济效益同比（%）"), "change"))
    tables += [
        Table("trends", _("历年趋势"), trend_note, tuple(trend_columns), _flatten(data["trends"])),
        Table(
            "spending",
            _("经济效益与投入"),
            trend_note,
            (
                TableColumn("year", _("年度"), "text"),
                TableColumn("benefit", _("可计算的经济效益（万元）"), "money"),
                TableColumn("qc_activity_spending", _("活动经费投入（万元）"), "money"),
                TableColumn("reward_spending", _("奖励费用（万元）"), "money"),
                TableColumn("spending", _("投入合计（万元）"), "money"),
            ),
            data["trends"],
        ),
        Table(
            "by_type",
            _("按课题类型"),
            note,
            (
                TableColumn("label", _("课题类型"), "text"),
                TableColumn("results", _("成果数（项）")),
                TableColumn("benefit", _("可计算的经济效益（万元）"), "money"),
            ),
            data["by_type"],
        ),
        Table(
            "by_domain",
            _("按领域（申报成果）"),
            note,
            (TableColumn("domain", _("领域"), "text"), TableColumn("results", _("成果数（项）"))),
            data["by_domain"],
        ),
        Table(
            "grades",
            _("成果等级（已发布的评审结果）"),
            note,
            (TableColumn("grade", _("等级"), "text"), TableColumn("results", _("成果数（项）"))),
            data["grades"],
        ),
    ]
    rankings = data["rankings"]
    for kind, kind_label in (("enterprises", _("企业")), ("units", _("推荐单位"))):
        for metric, metric_label, column in (
            ("results", _("成果数"), TableColumn("value", _("成果数（项）"))),
            ("benefit", _("可计算的经济效益"), TableColumn("value", _("可计算的经济效益（万元）"), "money")),
            ("participation", _("普及率"), TableColumn("value", _("普及率（%）"), "rate")),
        ):
            if metric not in rankings.get(kind, {}):
                continue
            tables.append(
                Table(
                    f"rank_{kind}_{metric}",
                    _("%(kind)s排名：%(metric)s前%(n)s名")
                    % {"kind": kind_label, "metric": metric_label, "n": d.RANKING_SIZE},
                    note,
                    (TableColumn("rank", _("名次")), TableColumn("name", _("名称"), "text"), column),
                    [
                        {**row, "level": d.ENTERPRISE if kind == "enterprises" else d.UNIT}
                        for row in rankings[kind][metric]
                    ],
                    drill=True,
                )
            )
    return tables


def _flatten(rows: list[dict]) -> list[dict]:
    """Rows with their ``yoy`` dict spread into ``yoy.<key>`` keys (for table columns)."""
    return [{**row, **{f"yoy.{k}": v for k, v in row.get("yoy", {}).items()}} for row in rows]


def table_for(tables: list[Table], key: str) -> Table | None:
    """The table ``key`` of ``tables`` or ``None``."""
    return next((t for t in tables if t.key == key), None)


def cell_kind(row: dict, column: TableColumn) -> str:
    """The kind of one cell: the column's, or for the headline table the row's own kind
    (``value``) and change kind (``yoy``)."""
    if column.kind == "value":
        return row.get("kind", "int")
    if column.kind == "yoy":
        return row.get("yoy_kind", "change")
    return column.kind


def format_cell(value, kind: str) -> str:
    """A cell as shown on the page: counts with thousands separators, money with 2 places,
    rates with 2 places, changes signed (``+12.50%``, ``-1.20个百分点``), ``—`` when missing."""
    if value is None or value == "":
        return "—"
    if kind == "int":
        return f"{value:,}" if isinstance(value, int) else str(value)
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "rate":
        return f"{value:.2f}%"
    if kind == "change":
        return f"{value:+.2f}%"
    if kind == "points":
        return _("%(value)s个百分点") % {"value": f"{value:+.2f}"}
    return str(value)


def excel_value(value, kind: str):
    """A cell as written to Excel: numbers stay numbers (rates and changes in %), text
    stays text, a missing value is ``—``."""
    if value is None or value == "":
        return "—"
    if kind in ("int", "money", "rate", "change", "points"):
        return value
    return str(value)
