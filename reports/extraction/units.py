"""Units and numerals of Chinese report text: base units, multipliers, Chinese-numeral values."""

from __future__ import annotations

# unit as written -> (base unit, factor to the base unit)
UNITS: dict[str, tuple[str, float]] = {
    # percentages and points
    "%": ("%", 1.0),
    "‰": ("‰", 1.0),
    "个百分点": ("百分点", 1.0),
    "百分点": ("百分点", 1.0),
    "倍": ("倍", 1.0),
    # money
    "美元": ("美元", 1.0),
    "欧元": ("欧元", 1.0),
    "港元": ("港元", 1.0),
    "元": ("元", 1.0),
    # area, volume, length, mass, energy
    "平方公里": ("平方公里", 1.0),
    "平方千米": ("平方公里", 1.0),
    "平方米": ("平方米", 1.0),
    "平米": ("平方米", 1.0),
    "㎡": ("平方米", 1.0),
    "立方米": ("立方米", 1.0),
    "公顷": ("公顷", 1.0),
    "亩": ("亩", 1.0),
    "公里": ("公里", 1.0),
    "千米": ("公里", 1.0),
    "米": ("米", 1.0),
    "吨": ("吨", 1.0),
    "公斤": ("公斤", 1.0),
    "千克": ("公斤", 1.0),
    "斤": ("斤", 1.0),
    "千瓦时": ("千瓦时", 1.0),
    "千瓦": ("千瓦", 1.0),
    "兆瓦": ("千瓦", 1000.0),
    "标准箱": ("标准箱", 1.0),
    "微克/立方米": ("微克/立方米", 1.0),
    "蒸吨": ("蒸吨", 1.0),
    "标箱": ("标准箱", 1.0),
    # time
    "个工作日": ("工作日", 1.0),
    "工作日": ("工作日", 1.0),
    "个月": ("月", 1.0),
    "天": ("天", 1.0),
    "小时": ("小时", 1.0),
    "分钟": ("分钟", 1.0),
    # counts of events and people
    "人次": ("人次", 1.0),
    "户次": ("户次", 1.0),
    "车次": ("车次", 1.0),
    "架次": ("架次", 1.0),
    "班次": ("班次", 1.0),
    "家次": ("家次", 1.0),
    "剂次": ("剂次", 1.0),
    "轮次": ("轮次", 1.0),
    "剂": ("剂", 1.0),
    # classifiers
    "个": ("个", 1.0),
    "项": ("项", 1.0),
    "家": ("家", 1.0),
    "人": ("人", 1.0),
    "名": ("人", 1.0),
    "位": ("人", 1.0),
    "户": ("户", 1.0),
    "台": ("台", 1.0),
    "幅": ("幅", 1.0),
    "件": ("件", 1.0),
    "次": ("次", 1.0),
    "场": ("场", 1.0),
    "所": ("所", 1.0),
    "处": ("处", 1.0),
    "座": ("座", 1.0),
    "条": ("条", 1.0),
    "套": ("套", 1.0),
    "间": ("间", 1.0),
    "辆": ("辆", 1.0),
    "栋": ("栋", 1.0),
    "幢": ("幢", 1.0),
    "部": ("部", 1.0),
    "支": ("支", 1.0),
    "张": ("张", 1.0),
    "份": ("份", 1.0),
    "本": ("本", 1.0),
    "册": ("册", 1.0),
    "棵": ("棵", 1.0),
    "株": ("株", 1.0),
    "起": ("起", 1.0),
    "宗": ("宗", 1.0),
    "例": ("例", 1.0),
    "块": ("块", 1.0),
    "艘": ("艘", 1.0),
    "头": ("头", 1.0),
    "只": ("只", 1.0),
    "产": ("户", 1.0),  # frequent OCR/typing slip for 户 ("10 产居民"); only after a number
}

# Count-like units: what a Chinese numeral may count (三幅, 十五项); money and measures need a multiplier.
COUNT_UNITS = frozenset(
    u
    for u, (base, _) in UNITS.items()
    if base not in {"%", "‰", "百分点", "元", "美元", "欧元", "港元", "产", "只", "头", "剂", "微克/立方米"}
)

MULTIPLIERS: dict[str, float] = {
    "万亿": 1e12,
    "千万": 1e7,
    "百万": 1e6,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "百": 1e2,
}

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_MAGNITUDES = {"十": 10, "百": 100, "千": 1000}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_MAGNITUDES)


def chinese_to_int(s: str) -> int | None:
    """Value of a Chinese numeral below 万 (十五 -> 15, 两百 -> 200); None for non-numbers (一二八, 百千, 三五)."""
    total = 0
    digit: int | None = None
    last_magnitude = 10_000
    previous_was_digit = False
    for ch in s:
        if ch in CN_DIGITS:
            d = CN_DIGITS[ch]
            if previous_was_digit and digit != 0:
                return None  # adjacent digits: a name (一二八) or an estimate (三五个)
            digit = d
            previous_was_digit = True
        elif ch in CN_MAGNITUDES:
            m = CN_MAGNITUDES[ch]
            if m >= last_magnitude:
                return None
            total += (1 if digit is None else digit) * m
            digit = None
            last_magnitude = m
            previous_was_digit = False
        else:
            return None
    if digit is not None:
        total += digit
    return total if s else None


def base_unit(unit_text: str) -> tuple[str, float] | None:
    """(base unit, factor) of a unit as written, e.g. 名 -> (人, 1.0); None when unknown."""
    return UNITS.get(unit_text)
