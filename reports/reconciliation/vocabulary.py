"""The words the matcher must know: synonyms, unit families and scope words, as data.

Pure Python. The engine takes a `Vocabulary`; the defaults below are what the data migration seeds into
`reports.models.ReconciliationTerm`, where an administrator edits them (管理后台 → 年终核对词表) like the
lead-department keyword rules. `build` makes one from (kind, name, terms) rows.

- synonym: names of one thing (口袋公园 / 街角游园 / 街心花园); a name is compared with each spelling replaced by
  the first, so the bigram similarity sees one word.
- unit_family: counters that count the same things (所 / 个 / 家 / 处): interchangeable, at a small discount.
- scope: words that name mutually exclusive scopes (城镇 / 农村 / 城乡; 全区 / 全镇): a figure for one scope never
  answers a target for another.
- topic: words that name exclusive paragraph topics (城市 / 乡村): a figure in a review paragraph about the city
  never answers a target set in a section about the countryside (公厕 9 座 vs 公厕 100 座).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

SYNONYM = "synonym"
UNIT_FAMILY = "unit_family"
SCOPE = "scope"
TOPIC = "topic"

# (kind, name, terms): the first term of a synonym group is the spelling the others are compared as.
DEFAULT_TERMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (SYNONYM, "口袋公园", ("口袋公园", "街角游园", "街心花园", "街头游园", "小微公园")),
    (SYNONYM, "造林绿化", ("造林绿化", "营造林", "植树造林", "国土绿化")),
    (
        SYNONYM,
        "农村居民人均可支配收入",
        (
            "农村居民人均可支配收入",
            "农村常住居民人均可支配收入",
            "农民人均纯收入",
            "农牧民人均纯收入",
            "农民人均可支配收入",
        ),
    ),
    (
        SYNONYM,
        "城镇居民人均可支配收入",
        ("城镇居民人均可支配收入", "城镇常住居民人均可支配收入", "城市居民人均可支配收入"),
    ),
    (
        SYNONYM,
        "一般公共预算收入",
        (
            "一般公共预算收入",
            "地方一般公共预算收入",
            "公共财政预算收入",
            "一般预算收入",
            "财政预算收入",
            "地方财政收入",
        ),
    ),
    (SYNONYM, "社会消费品零售总额", ("社会消费品零售总额", "社会消费品零售额", "社会零售品消费总额")),
    (SYNONYM, "地区生产总值", ("地区生产总值", "生产总值", "GDP", "国内生产总值", "经济增长")),
    (SYNONYM, "规模以上工业增加值", ("规模以上工业增加值", "规上工业增加值")),
    (SYNONYM, "老旧小区改造", ("老旧小区改造", "老旧小区综合改造", "老旧小区提升改造")),
    (SYNONYM, "卫生厕所", ("户厕", "卫生厕所", "厕所改造")),
    (SYNONYM, "公厕", ("公厕", "公共厕所")),
    (SYNONYM, "停车位", ("停车位", "停车泊位", "车位")),
    (SYNONYM, "高新技术企业", ("高新技术企业", "高新企业", "国家高新技术企业")),
    (SYNONYM, "引进项目", ("引进项目", "引入项目", "招引项目")),
    (UNIT_FAMILY, "机构与场所", ("个", "所", "家", "处", "座", "项")),
    (UNIT_FAMILY, "住户", ("户", "套")),
    (UNIT_FAMILY, "地块", ("幅", "块", "宗", "个")),
    (SCOPE, "城乡", ("城镇", "农村", "城乡")),
    (TOPIC, "城市与乡村", ("城市", "乡村")),
    (SCOPE, "行政层级", ("全国", "全省", "全市", "全区", "全县", "全镇", "全乡", "全街道")),
)

# Counting words that belong to one family but not to the measure a name gives (公里 is a length, 条 a count:
# they only match when neither name says 长度/里程).
_SCOPE_ALIASES = {"农民": "农村", "农牧民": "农村", "城市居民": "城镇"}


@dataclass(frozen=True, eq=False)
class Vocabulary:
    synonyms: tuple[tuple[str, ...], ...] = ()
    unit_families: tuple[frozenset[str], ...] = ()
    scopes: tuple[tuple[str, ...], ...] = ()
    topics: tuple[tuple[str, ...], ...] = ()
    # memo of canonical spellings and bigram sets (a year's run compares the same names many times)
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def _synonym_pattern(self) -> tuple[re.Pattern | None, dict[str, str]]:
        if "pattern" not in self.cache:
            mapping: dict[str, str] = {}
            for group in self.synonyms:
                for term in group:
                    mapping.setdefault(term, group[0])  # the first maps to itself: 生产总值 in 地区生产总值 stays
            alternatives = sorted(mapping, key=len, reverse=True)  # longest spelling first
            pattern = re.compile("|".join(re.escape(t) for t in alternatives)) if alternatives else None
            self.cache["pattern"] = (pattern, mapping)
        return self.cache["pattern"]

    def canonical(self, name: str) -> str:
        """The name with every synonym spelled as its group's first term."""
        pattern, mapping = self._synonym_pattern()
        if pattern is None or not name:
            return name
        return pattern.sub(lambda m: mapping[m.group(0)], name)

    def same_family(self, a: str | None, b: str | None) -> str | None:
        """The family name when two different units count the same things, else None."""
        if not a or not b or a == b:
            return None
        for family in self.unit_families:
            if a in family and b in family:
                return "、".join(sorted(family))
        return None

    def topic_conflict(self, target_section: str, paragraph_lead: str) -> tuple[str, str] | None:
        """(section word, paragraph word) when a section and a review paragraph are about exclusive topics."""
        mine, theirs = self.scope_of(target_section, self.topics), self.scope_of(paragraph_lead, self.topics)
        for group, word in mine.items():
            other = theirs.get(group)
            if other and other != word:
                return word, other
        return None

    def scope_of(self, text: str, groups: tuple[tuple[str, ...], ...] | None = None) -> dict[int, str]:
        """The scope words a name or clause uses, by scope group: {group index: word}."""
        memo = self.cache.setdefault("scopes", {})
        key = (text, groups is None)
        if key not in memo:
            memo[key] = self._scope_of(text, groups)
        return memo[key]

    def _scope_of(self, text: str, groups: tuple[tuple[str, ...], ...] | None) -> dict[int, str]:
        found: dict[int, str] = {}
        text = text or ""
        for alias, word in _SCOPE_ALIASES.items():
            if alias in text and word not in text:
                text = text.replace(alias, word)
        for index, group in enumerate(self.scopes if groups is None else groups):
            hits = [w for w in group if w in text]
            if len(hits) == 1:  # 城镇和农村 together names both: no single scope
                found[index] = hits[0]
        return found

    def scope_conflict(
        self, target_name: str, target_context: str, achievement_name: str, achievement_context: str
    ) -> tuple[str, str] | None:
        """(target word, achievement word) when both name a scope of one group and they differ.

        The name decides; the words before the figure only fill a group the name leaves open.
        """
        mine = {**self.scope_of(target_context), **self.scope_of(target_name)}
        theirs = {**self.scope_of(achievement_context), **self.scope_of(achievement_name)}
        for group, word in mine.items():
            other = theirs.get(group)
            if other and other != word:
                return word, other
        return None


def build(terms: Iterable[tuple[str, str, Iterable[str]]]) -> Vocabulary:
    synonyms, families, scopes, topics = [], [], [], []
    for kind, _name, words in terms:
        words = tuple(w.strip() for w in words if w and w.strip())
        if len(words) < 2:
            continue
        if kind == SYNONYM:
            synonyms.append(words)
        elif kind == UNIT_FAMILY:
            families.append(frozenset(words))
        elif kind == SCOPE:
            scopes.append(words)
        elif kind == TOPIC:
            topics.append(words)
    return Vocabulary(tuple(synonyms), tuple(families), tuple(scopes), tuple(topics))


def split_terms(text: str) -> list[str]:
    """Terms as an administrator types them: separated by 、 , ， ; ； or new lines."""
    return [t.strip() for t in re.split(r"[、,，;；\n]+", text or "") if t.strip()]


DEFAULT = build(DEFAULT_TERMS)
