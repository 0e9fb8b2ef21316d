"""Seed the year-end matcher's word table (synonyms, unit families, scope words).

The rows are written out here (not imported from the vocabulary module) so this migration stays what it was
when the module changes.
"""

from __future__ import annotations

from django.db import migrations

TERMS = [
    ("synonym", "口袋公园", "口袋公园、街角游园、街心花园、街头游园、小微公园"),
    ("synonym", "造林绿化", "造林绿化、营造林、植树造林、国土绿化"),
    (
        "synonym",
        "农村居民人均可支配收入",
        "农村居民人均可支配收入、农村常住居民人均可支配收入、农民人均纯收入、农牧民人均纯收入、农民人均可支配收入",
    ),
    ("synonym", "城镇居民人均可支配收入", "城镇居民人均可支配收入、城镇常住居民人均可支配收入、城市居民人均可支配收入"),
    (
        "synonym",
        "一般公共预算收入",
        "一般公共预算收入、地方一般公共预算收入、公共财政预算收入、一般预算收入、地方财政收入",
    ),
    ("synonym", "社会消费品零售总额", "社会消费品零售总额、社会消费品零售额、社会零售品消费总额"),
    ("synonym", "地区生产总值", "地区生产总值、生产总值、GDP、国内生产总值"),
    ("synonym", "规模以上工业增加值", "规模以上工业增加值、规上工业增加值"),
    ("synonym", "老旧小区改造", "老旧小区改造、老旧小区综合改造、老旧小区提升改造"),
    ("synonym", "卫生厕所", "户厕、卫生厕所、厕所改造"),
    ("synonym", "公厕", "公厕、公共厕所"),
    ("synonym", "停车位", "停车位、停车泊位、车位"),
    ("synonym", "高新技术企业", "高新技术企业、高新企业、国家高新技术企业"),
    ("unit_family", "机构与场所", "个、所、家、处、座、项"),
    ("unit_family", "道路与线路", "条、公里"),
    ("unit_family", "住户", "户、套"),
    ("scope", "城乡", "城镇、农村、城乡"),
    ("scope", "行政层级", "全国、全省、全市、全区、全县、全镇、全乡、全街道"),
]


def seed(apps, schema_editor):
    Term = apps.get_model("reports", "ReconciliationTerm")
    for kind, name, terms in TERMS:
        Term.objects.get_or_create(kind=kind, name=name, defaults={"terms": terms})


def unseed(apps, schema_editor):
    Term = apps.get_model("reports", "ReconciliationTerm")
    for kind, name, _terms in TERMS:
        Term.objects.filter(kind=kind, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_reconciliation_terms")]

    operations = [migrations.RunPython(seed, unseed)]
