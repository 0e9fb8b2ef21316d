from __future__ import annotations

from targets.models import LeadDepartmentRule
from targets.suggestions import FALLBACK_DEPARTMENT, suggest_department_name, suggest_lead_department


def test_seeded_rules_cover_the_issue_examples(db):
    cases = {
        "区级税收增长15%": "经济发展办",
        "完成招商引资": "经济发展办",
        "旧住房综合修缮改造": "房管办",
        "加装电梯20台": "房管办",
        "新增就业岗位": "就业服务中心",
        "确保无重大安全事故": "安全办",
        "新建社区长者食堂助餐点": "社会事务办",
        "举办全民健身体育赛事": "文体中心",
        "建成3-5个社区教育实践基地": "社区教育中心",
        "打造至少1个零违建居村": "城运中心",
        "开展基层党建工作": "党建办",
    }
    for text, department in cases.items():
        assert suggest_department_name(text) == department, text


def test_fallback_when_nothing_matches(db):
    assert suggest_department_name("完善政务公开") == FALLBACK_DEPARTMENT


def test_priority_then_longer_keyword(db):
    # 旧住房 (specific, priority 10) beats 企业 (broad, priority 50) even when both occur.
    assert suggest_department_name("企业参与旧住房改造") == "房管办"
    LeadDepartmentRule.objects.create(keyword="住房改造", department_name="城建中心", priority=10)
    assert suggest_department_name("企业参与旧住房改造") == "城建中心"  # same priority, longer keyword wins
    LeadDepartmentRule.objects.create(keyword="参与", department_name="党政办", priority=1)
    assert suggest_department_name("企业参与旧住房改造") == "党政办"  # lower priority number wins


def test_rules_are_editable(db, org):
    LeadDepartmentRule.objects.filter(keyword="税收").update(department_name="财政所")
    department = suggest_lead_department(organisation=org, text="税收增长")
    assert department.name == "财政所" and department.organisation == org
