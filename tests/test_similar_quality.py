"""The similar-case quality harness (bench/similar_quality.py): its metrics on hand-computed cases, and its
loaders on tiny files in each data set's layout (written here: the real data sets are not shipped)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent.parent / "bench" / "similar_quality.py"


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location("similar_quality", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_metrics_on_a_known_ranking(harness):
    labels = {"a": 3, "b": 0, "c": 1}
    assert harness.ndcg_at(["a", "c", "b"], labels) == pytest.approx(1.0)
    worst = (0 + 1 / math.log2(3) + 7 / math.log2(4)) / (7 + 1 / math.log2(3))
    assert harness.ndcg_at(["b", "c", "a"], labels) == pytest.approx(worst)
    assert harness.precision_at(["a", "c", "b", "x", "y"], labels, relevant=1) == pytest.approx(0.4)
    # pairs with different labels: (a,b) (a,c) (b,c); a tie counts half
    assert harness.pairwise({"a": 3.0, "b": 1.0, "c": 1.0}, labels) == pytest.approx(2.5 / 3)


def test_charges_format_makes_each_case_a_query_against_the_others(harness, tmp_path):
    rows = [
        {"query": "事实:被告人在超市内盗窃手机一部。", "response": "罪名:盗窃"},
        {"query": "事实:被告人入户盗窃现金五百元。", "response": "罪名:盗窃"},
        {"facts": "被告人醉酒驾驶机动车，血液酒精含量超标。", "charges": ["危险驾驶"]},
    ]
    path = tmp_path / "charges.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    data = harness.load_charges(path)
    assert [(q.key, q.labels) for q in data.queries] == [("0", {"1": 1}), ("1", {"0": 1})]  # 2 has no peer
    figures = harness.evaluate(data, [harness.Quanze(data.documents), harness.Baseline(data.documents)], relevant=1)
    assert figures["Quanze"]["facts200"]["ndcg@10"] == pytest.approx(1.0)
    assert set(figures) == {"Quanze", "BM25 (rank_bm25)"} and set(figures["Quanze"]) == {"facts200", "keywords"}


def test_lecard_and_cail_scm_layouts_load(harness, tmp_path):
    (tmp_path / "query").mkdir()
    (tmp_path / "label").mkdir()
    (tmp_path / "candidates" / "candidates1" / "7").mkdir(parents=True)  # as LeCaRD's archives unpack
    (tmp_path / "query" / "query.json").write_text(
        json.dumps({"ridx": 7, "q": "被告人非法拘禁被害人二日。"}, ensure_ascii=False), encoding="utf-8"
    )
    for name, facts in (("1", "被告人为索债非法拘禁他人。"), ("2", "被告人盗窃电动车一辆。")):
        (tmp_path / "candidates" / "candidates1" / "7" / f"{name}.json").write_text(
            json.dumps({"ajjbqk": facts}, ensure_ascii=False), encoding="utf-8"
        )
    (tmp_path / "label" / "label_top30_dict.json").write_text(json.dumps({"7": {"1": 3}}), encoding="utf-8")
    data = harness.load_lecard(tmp_path)
    assert data.queries[0].pool == ["7/1", "7/2"] and data.queries[0].labels == {"7/1": 3}
    scm = tmp_path / "scm.json"
    scm.write_text(
        json.dumps(
            {"A": "借款到期未还", "B": "借款逾期未归还本息", "C": "交通事故致人受伤", "label": "B"}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    triples = harness.load_cail_scm(scm)
    figures = harness.evaluate(triples, [harness.Quanze(triples.documents)], relevant=1)
    assert figures["Quanze"]["facts200"]["pairwise"] == 1.0


def test_a_bad_row_is_named(harness, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"facts": "有事实", "charges": []}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="row 1: facts and charges are required"):
        harness.load_charges(path)
