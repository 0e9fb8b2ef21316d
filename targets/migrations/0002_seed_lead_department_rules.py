"""Seed the editable keyword table that suggests a lead department."""

from __future__ import annotations

from django.db import migrations

# (priority, department, keywords): specific phrases first, broad words last.
RULES = [
    (10, "房管办", ["旧住房", "精品小区", "加装电梯", "美丽家园", "老旧小区"]),
    (10, "经济发展办", ["税收", "招商", "营商环境"]),
    (10, "就业服务中心", ["就业", "创业"]),
    (10, "安全办", ["消防", "安全生产", "安全事故"]),
    (10, "社会事务办", ["养老", "助餐", "助老", "民政", "为老"]),
    (10, "城运中心", ["违建", "城管", "网格"]),
    (10, "党建办", ["党建", "党员"]),
    (10, "卫生健康办", ["卫生", "医疗", "健康", "体质"]),
    (20, "文体中心", ["文化", "体育", "健身"]),
    (20, "社区教育中心", ["教育", "学校", "学习"]),
    (20, "生态环境办", ["环境", "河道", "绿化", "垃圾", "生态"]),
    (30, "城建中心", ["道路", "建设工程", "工程建设", "交通"]),
    (50, "经济发展办", ["企业", "经济", "财政", "投资", "产业", "营收", "零售"]),
    (50, "房管办", ["住房", "物业", "小区"]),
    (50, "安全办", ["安全"]),
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
    dependencies = [("targets", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
