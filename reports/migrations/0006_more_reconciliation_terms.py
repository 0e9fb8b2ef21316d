"""Paragraph topics in the matcher's word table, and two more rows: 城市/乡村 as exclusive topics (a city paragraph's 公厕 9 座 does not
answer a rural 公厕 100 座 target) and 引进/引入/招引 项目 as one thing."""

from __future__ import annotations

from django.db import migrations, models

TERMS = [
    ("topic", "城市与乡村", "城市、乡村"),
    ("synonym", "引进项目", "引进项目、引入项目、招引项目"),
    ("unit_family", "地块", "幅、块、宗、个"),
]


ADDED = [
    ("synonym", "一般公共预算收入", "财政预算收入"),  # the towns' word for it
    ("synonym", "地区生产总值", "经济增长"),  # 经济增长预期目标为 5% 左右
]


def seed(apps, schema_editor):
    Term = apps.get_model("reports", "ReconciliationTerm")
    for kind, name, terms in TERMS:
        Term.objects.get_or_create(kind=kind, name=name, defaults={"terms": terms})
    for kind, name, word in ADDED:
        for row in Term.objects.filter(kind=kind, name=name):
            if word not in row.terms.split("、"):
                row.terms = f"{row.terms}、{word}"
                row.save(update_fields=["terms"])


def unseed(apps, schema_editor):
    Term = apps.get_model("reports", "ReconciliationTerm")
    for kind, name, _terms in TERMS:
        Term.objects.filter(kind=kind, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_seed_reconciliation_terms")]

    operations = [
        migrations.AlterField(
            model_name="reconciliationterm",
            name="kind",
            field=models.CharField(
                choices=[
                    ("synonym", "同义词"),
                    ("unit_family", "同类计量单位"),
                    ("scope", "互斥范围词"),
                    ("topic", "互斥段落主题词"),
                ],
                max_length=12,
                verbose_name="类别",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
