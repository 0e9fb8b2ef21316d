"""The matcher's words are data: seeded by the migration, edited in the admin, read by the next run."""

from __future__ import annotations

import pytest

from reports.models import ReconciliationTerm
from reports.reconciliation import engine, services, vocabulary

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_every_default_group():
    seeded = {(t.kind, t.name) for t in ReconciliationTerm.objects.all()}
    assert seeded == {(kind, name) for kind, name, _ in vocabulary.DEFAULT_TERMS}


def test_the_seeded_table_behaves_like_the_defaults():
    current = services.vocabulary_current()
    for a, b in [
        ("新改建口袋公园数", "街心花园数"),
        ("营造林面积", "造林绿化面积"),
        ("农民人均纯收入", "农村常住居民人均可支配收入"),
    ]:
        assert engine.metric_similarity(a, b, current) == engine.metric_similarity(a, b, vocabulary.DEFAULT) > 0.6
    assert current.same_family("所", "个") and not current.same_family("个", "公里")
    assert current.scope_conflict("城镇居民人均可支配收入", "", "农村居民人均可支配收入", "")


def test_an_administrators_edit_applies_to_the_next_run(admin_client):
    assert engine.metric_similarity("村史馆数", "乡村记忆馆数", services.vocabulary_current()) < 0.5
    response = admin_client.post(
        "/admin/reports/reconciliationterm/add/",
        {"kind": "synonym", "name": "村史馆", "terms": "村史馆、乡村记忆馆", "note": ""},
    )
    assert response.status_code == 302
    assert engine.metric_similarity("村史馆数", "乡村记忆馆数", services.vocabulary_current()) == 1.0
    ReconciliationTerm.objects.filter(kind="unit_family").delete()
    assert not services.vocabulary_current().same_family("所", "个")


def test_terms_are_split_as_people_type_them():
    assert vocabulary.split_terms("口袋公园、街角游园, 街心花园；\n小微公园") == [
        "口袋公园",
        "街角游园",
        "街心花园",
        "小微公园",
    ]
