"""The prose outcome reader and the rules built on it: deferral, not started and negation override completion;
`met` only on positive evidence in the clause that names the thing; one figure answers one target; scope words and
unit families from the vocabulary; every proposal carries a reason.

The sentences are written for these tests in the register of real reviews (not copied from the corpus), and each
class is checked on several spellings, so the rules, not particular sentences, are what pass.
"""

from __future__ import annotations

import pytest

from reports.extraction.records import Achievement
from reports.reconciliation import engine, outcomes, vocabulary
from reports.reconciliation.engine import TargetFigure


@pytest.mark.parametrize(
    ("clause", "state"),
    [
        ("已全面完成", outcomes.COMPLETE),
        ("如期建成投用", outcomes.COMPLETE),
        ("顺利通过竣工验收", outcomes.COMPLETE),
        ("完成年度计划", outcomes.COMPLETE),
        ("实现全覆盖", outcomes.COMPLETE),
        ("基本完成", outcomes.PARTIAL),
        ("主体结构封顶", outcomes.PARTIAL),
        ("完成年度计划的85%", outcomes.PARTIAL),
        ("正在加紧建设", outcomes.PARTIAL),
        ("已开工建设", outcomes.STARTED),
        ("受疫情影响顺延至2023年", outcomes.DEFERRED),
        ("因资金未落实暂缓实施，原定完成的工作顺延", outcomes.DEFERRED),
        ("调整至2024年实施", outcomes.DEFERRED),
        ("项目尚未开工，正在报批", outcomes.NOT_STARTED),
        ("仍在前期手续办理阶段", outcomes.NOT_STARTED),
        ("未能按期完成", outcomes.NEGATED),
        ("尚未建成", outcomes.NEGATED),
        ("完成投资3.2亿元", outcomes.NONE),  # money spent is not the thing done
        ("持续关注", outcomes.NONE),
    ],
)
def test_read_outcome(clause, state):
    assert outcomes.read_outcome(clause).state == state


@pytest.mark.parametrize(
    "clause",
    [
        "原计划年内完成，受疫情影响顺延至2023年",
        "已完成设计，施工推迟到明年",
        "完成招标后暂缓实施",
        "完成前期，尚未开工",
    ],
)
def test_a_negative_statement_overrides_completion_words_in_the_same_clause(clause):
    outcome = outcomes.read_outcome(clause)
    assert outcome.negative and outcome.state != outcomes.COMPLETE


@pytest.mark.parametrize(
    ("quote", "thing"),
    [
        ("确保无重大安全事故", "安全事故"),
        ("确保不发生较大以上安全生产事故", "安全生产事故"),
        ("杜绝群体性事件", "事件"),
    ],
)
def test_condition_subject(quote, thing):
    assert outcomes.condition_subject(quote).endswith(thing[-2:])


def deliverable(quote: str, **kw) -> TargetFigure:
    return TargetFigure(
        id=kw.pop("id", 1), metric=quote, value=None, kind=kw.pop("kind", "deliverable"), quote=quote, **kw
    )


REVIEW = (
    "一年来，我们扎实推进民生实事。青枫路新建工程全面完成并通车；"
    "翠湖社区卫生服务站修缮改造受疫情影响顺延至2024年。"
    "西岭小学扩建工程主体结构封顶，东港路跨河桥尚未开工，正在办理用地手续。"
    "滨河口袋公园建成开放。全年未发生重大安全生产事故。"
)


@pytest.mark.parametrize(
    ("quote", "verdict"),
    [
        ("完成青枫路新建工程", "met"),
        ("完成翠湖社区卫生服务站修缮改造", "missed"),  # deferred: never met
        ("建成西岭小学扩建工程", "partly_met"),  # topped out, 竣工 promised
        ("建成东港路跨河桥", "missed"),  # not started
        ("打造滨河街角游园", "met"),  # synonym of 口袋公园 from the vocabulary
        ("完成北山垃圾中转站改造", "no_evidence"),  # not named in the review
    ],
)
def test_deliverables_read_the_clause_that_names_them(quote, verdict):
    (proposal,) = engine.reconcile([deliverable(quote)], [], review_text=REVIEW, year=2023)
    assert proposal.verdict == verdict, proposal.details
    assert proposal.details["reason"].startswith(engine.VERDICT_LABELS[verdict])


def test_no_met_for_any_deferred_not_started_or_negated_project():
    names = ["翠湖社区卫生服务站", "东港路跨河桥", "南湾排涝泵站", "北岸文化中心"]
    verbs = ["受疫情影响顺延至明年", "尚未开工", "未能按期完成", "因资金原因暂缓建设"]
    for name in names:
        for verb in verbs:
            review = f"全年民生实事总体完成。{name}{verb}，其余项目已全面完成。"
            (proposal,) = engine.reconcile([deliverable(f"建成{name}")], [], review_text=review, year=2023)
            assert proposal.verdict == "missed", (review, proposal.details)


def test_condition_met_when_the_review_says_it_did_not_happen():
    target = deliverable("确保无重大安全事故", kind="condition")
    (met,) = engine.reconcile([target], [], review_text=REVIEW, year=2023)
    assert met.verdict == "met" and "未发生" in met.details["reason"]
    (missed,) = engine.reconcile([target], [], review_text="全年发生重大安全生产事故1起。", year=2023)
    assert missed.verdict == "missed"
    (none,) = engine.reconcile([target], [], review_text="安全生产形势总体平稳。", year=2023)
    assert none.verdict == "no_evidence"


def test_a_list_item_accounted_for_collectively():
    item = deliverable("东沟片区临时停车场建设", section="2023年主要任务 > 2023年主要民生实事项目（15项）")
    (whole,) = engine.reconcile([item], [], review_text="15项民生实事项目全部完成。", year=2023)
    assert whole.verdict == "met" and whole.details["collective"]
    (some,) = engine.reconcile([item], [], review_text="15项民生实事项目完成13项。", year=2023)
    assert some.verdict == "no_evidence" and "13" in some.details["reason"]


def figure(metric, value, unit="个", quote=None, **kw) -> TargetFigure:
    return TargetFigure(
        id=kw.pop("id", metric),
        metric=metric,
        value=value,
        unit=unit,
        relation=kw.pop("relation", "absolute"),
        plan_year=2023,
        quote=quote or f"{metric}{value}{unit}",
        **kw,
    )


def ach(metric, value, unit="个", quote=None, **kw) -> Achievement:
    return Achievement(
        quote=quote or f"{metric}{value}{unit}",
        start=0,
        end=1,
        metric=metric,
        value=value,
        unit=unit,
        relation=kw.pop("relation", "absolute"),
        period_year=kw.pop("period_year", "2023"),
    )


def test_one_review_figure_answers_one_target():
    targets = [figure("老旧小区改造数", 36, id="a"), figure("老旧小区改造数", 45, id="b", quote="完成老旧小区改造45个")]
    proposals = engine.reconcile(targets, [ach("老旧小区改造数", 45, quote="完成老旧小区改造45个")], year=2023)
    by_id = {p.target_id: p for p in proposals}
    assert by_id["b"].verdict == "met" and by_id["b"].achieved_value == 45
    assert by_id["a"].verdict == "no_evidence" and "已用于核对" in by_id["a"].details["reason"]


def test_a_figure_said_to_hold_for_several_targets_answers_each():
    targets = [figure("先行联系率", 100, "%", relation="share"), figure("按时办结率", 100, "%", relation="share")]
    achievements = [ach("先行联系率、按时办结率", 100, "%", quote="先行联系率、按时办结率均达到100%", relation="share")]
    proposals = engine.reconcile(targets, achievements, year=2023)
    assert [p.verdict for p in proposals] == ["met", "met"]


@pytest.mark.parametrize(
    ("target", "achievement"),
    [
        (("城镇居民人均可支配收入", 40000, "元"), ("农村居民人均可支配收入", 42000, "元")),
        (("城乡居民人均可支配收入", 40000, "元"), ("城镇居民人均可支配收入", 42000, "元")),
        (("全镇新建公厕数", 9, "座"), ("全区新建公厕数", 100, "座")),
    ],
)
def test_a_figure_for_another_scope_answers_nothing(target, achievement):
    (proposal,) = engine.reconcile([figure(*target)], [ach(*achievement)], year=2023)
    assert proposal.verdict == "no_evidence"
    assert any("范围不符" in r for c in proposal.details["candidates"] for r in c["reasons"])


def test_unit_families_and_synonyms_come_from_the_vocabulary():
    target = figure("新改建口袋公园数", 15, "处")
    review = [ach("新改建街心花园数", 16, "个")]
    (proposal,) = engine.reconcile([target], review, year=2023)
    assert proposal.verdict == "met"
    bare = vocabulary.build([])
    (refused,) = engine.reconcile([target], review, year=2023, vocabulary=bare)
    assert refused.verdict == "no_evidence"


def test_a_negated_clause_never_makes_a_figure_met():
    target = figure("一般公共预算收入", 3e8, "元")
    review = [ach("一般公共预算收入", 3.1e8, "元", quote="一般公共预算收入3.1亿元，未完成年度调整后目标")]
    (proposal,) = engine.reconcile([target], review, year=2023)
    assert proposal.verdict != "met"


def test_every_proposal_has_a_reason_in_words():
    targets = [figure("老旧小区改造数", 36), deliverable("完成青枫路新建工程", id=2), figure("停车位数", 300, id=3)]
    for proposal in engine.reconcile(targets, [ach("老旧小区改造数", 40)], review_text=REVIEW, year=2023):
        assert proposal.details["reason"].startswith(engine.VERDICT_LABELS[proposal.verdict])


def test_growth_from_levels_but_never_for_a_comparable_rate():
    nominal = figure("一般公共预算收入增速", 7, "%", relation="growth", quote="一般公共预算收入增长7%")
    comparable = figure("一般公共预算收入可比增速", 7, "%", relation="growth", quote="一般公共预算收入可比增长7%")
    level = ach("一般公共预算收入", 13.24e8, "元", quote="一般公共预算收入完成13.24亿元")
    before = ach("一般公共预算收入", 12.0e8, "元", quote="一般公共预算收入完成12亿元", period_year="2022")
    (computed,) = engine.reconcile([nominal], [level], previous=[before], year=2023)
    assert computed.verdict == "met" and computed.details["basis"] == "computed_growth"
    assert "13.24亿 ÷ 12亿" in computed.details["reason"]
    (refused,) = engine.reconcile([comparable], [level], previous=[before], year=2023)
    assert refused.verdict == "no_evidence" and "可比" in refused.details["reason"]


def test_counts_and_lengths_are_never_compared():
    (proposal,) = engine.reconcile([figure("城区道路改造数", 20, "条")], [ach("城区道路改造数", 15, "公里")], year=2023)
    assert proposal.verdict == "no_evidence"
