"""More keywords for the lead-department suggestion: construction, housing, land, elderly care, schools,
parks and waterfronts, public order. Broad vocabulary of town government work, not phrases of one report."""

from __future__ import annotations

from django.db import migrations

RULES = [
    (10, "就业服务中心", ["失业"]),
    (10, "社会事务办", ["老人", "医养", "认知症", "独居", "残疾", "救助"]),
    (20, "房管办", ["加梯", "保障房", "商品房", "动迁", "安置房", "住宅", "公寓"]),
    (20, "社区教育中心", ["幼儿园", "小学", "初中", "中学", "托育"]),
    (20, "文体中心", ["图书馆", "书院", "文体", "赛事"]),
    (20, "综治办", ["平安", "综合治理", "信访", "矛盾纠纷"]),
    (20, "城运中心", ["办结", "12345", "热线", "市容"]),
    (30, "经济发展办", ["土地储备", "出让", "商业", "孵化", "人才", "商务楼宇"]),
    (30, "生态环境办", ["花园", "公园", "绿地", "滨水", "滨江", "低碳", "水系", "林地"]),
    (40, "城建中心", ["新建工程", "路口", "管网", "泵站", "排水", "停车", "地块", "公厕", "街区", "桥"]),
    (60, "自治办", ["居民区", "楼组", "邻里", "社区服务", "自治"]),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("targets", "LeadDepartmentRule")
    for priority, department, keywords in RULES:
        for keyword in keywords:
            Rule.objects.get_or_create(keyword=keyword, defaults={"department_name": department, "priority": priority})


def unseed(apps, schema_editor):
    Rule = apps.get_model("targets", "LeadDepartmentRule")
    Rule.objects.filter(keyword__in=[k for _, _, keywords in RULES for k in keywords]).delete()


class Migration(migrations.Migration):
    dependencies = [("targets", "0002_seed_lead_department_rules")]

    operations = [migrations.RunPython(seed, unseed)]
