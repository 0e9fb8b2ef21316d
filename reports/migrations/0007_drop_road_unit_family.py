"""条 and 公里 are not one unit family: 20 条道路 and 15 公里 are not comparable figures."""

from __future__ import annotations

from django.db import migrations


def drop(apps, schema_editor):
    apps.get_model("reports", "ReconciliationTerm").objects.filter(kind="unit_family", name="道路与线路").delete()


def restore(apps, schema_editor):
    apps.get_model("reports", "ReconciliationTerm").objects.get_or_create(
        kind="unit_family", name="道路与线路", defaults={"terms": "条、公里"}
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_more_reconciliation_terms")]

    operations = [migrations.RunPython(drop, restore)]
