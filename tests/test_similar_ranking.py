"""Similar-case search ranking (issue 22): BM25 over the index's own statistics, any-word matching with the
all-words boost, the SPC tiers over ranked results, and the query analysis (compounds, negation, boilerplate,
synonyms, no term cap), on both engines; the scope is unchanged."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import connection

from cases.models import Case
from similar import ranking
from similar import selectors as similar_selectors
from similar import services as similar
from similar import text as similar_text
from similar.choices import SourceLevel
from similar.models import ReferenceCase, SearchDocument, TermStatistic

TEXTS = {
    "drug_sale": ("贩卖毒品罪", "被告人在出租屋内向他人贩卖甲基苯丙胺五克，收取毒资五百元。"),
    "drug_keep": ("容留他人吸毒罪", "被告人多次提供其住处容留他人吸食甲基苯丙胺。"),
    "no_interest": ("民间借贷纠纷", "双方未约定利息，出借人主张按年利率百分之二十四计算利息，不予支持。"),
    "interest": ("民间借贷纠纷", "借条约定利息为月息三分，超过一年期贷款市场报价利率四倍的部分不予支持。"),
    "interest_high": ("民间借贷纠纷", "出借人主张的利息超过四倍，超过部分不予保护；借款本金应予返还。"),
    "missing": ("离婚纠纷", "被告下落不明已满二年，原告诉请离婚，准予离婚。"),
    "unclear": ("买卖合同纠纷", "双方对货物质量标准约定不明，应按通常标准履行。"),
    "drunk": ("危险驾驶罪", "被告人酒后驾驶机动车，血液酒精含量为一百五十毫克每百毫升，判处拘役并处罚金。"),
    "detention": ("非法拘禁罪", "被告人为索取债务将被害人关押在仓库内二日，构成非法拘禁罪。"),
}


@pytest.fixture
def corpus(world):
    decided = dt.date.today() - dt.timedelta(days=60)
    made = {}
    for n, (key, (cause, facts)) in enumerate(TEXTS.items()):
        case = world.case(case_number=f"（2025）沪0101民初{900 + n}号", cause=cause, closed_on=decided)
        Case.objects.filter(pk=case.pk).update(facts_summary=facts)
        made[key] = case
    foreign = world.case(
        organisation=world.other_court, case_number="（2025）苏0102刑初1号", cause="贩卖毒品罪", closed_on=decided
    )
    Case.objects.filter(pk=foreign.pk).update(facts_summary="被告人贩卖甲基苯丙胺十克，贩卖毒品罪成立。")
    made["foreign"] = foreign
    similar.index_cases([c.pk for c in made.values()])
    return made


def labels(world, query, *, order="relevance", officer=None, engine="database", monkeypatch=None):
    if engine == "fallback":
        monkeypatch.setattr(similar_selectors, "full_text_search", lambda: False)
    result = similar_selectors.search(
        officer=officer or world.judge, query=query, filters=similar_selectors.SearchFilters(order=order)
    )
    return [h.label for h in result.hits]


def number(corpus, key):
    return corpus[key].case_number


ENGINES = pytest.mark.parametrize("engine", ["database", "fallback"])


# --- query analysis ------------------------------------------------------------------------------------


def test_a_compound_is_searched_with_its_parts_at_half_weight():
    terms = {t.word: t for t in similar_text.query_analysis("贩卖毒品")}
    assert terms["贩卖毒品"].weight == 1 and not terms["贩卖毒品"].part
    assert terms["贩卖"].part and terms["贩卖"].weight == similar_text.PART_WEIGHT
    assert "甲基苯丙胺" in terms["毒品"].words  # and the part's synonyms


def test_negators_stay_bound_to_their_word():
    assert similar_text.segment("未约定利息") == ["未约定", "利息"]
    # the index keeps the negated word and the bare one; a part never starts with a negator inside a word
    assert {"未约定", "约定", "利息"} <= set(similar_text.index_tokens("未约定利息"))
    assert "不明" not in similar_text.index_tokens("下落不明")


def test_boilerplate_dates_and_anonymised_names_are_not_searched():
    words = similar_text.query_terms("原告张某与被告李某某民间借贷纠纷一案，被告人王××于2016年3月28日20时许到案")
    assert words == ["民间借贷纠纷"]


def test_place_names_are_not_searched_but_a_residential_compound_is():
    words = similar_text.query_terms("被告人在晴隆县某村盗窃，后在连州市被抓获。刷脸 小区")
    assert "晴隆县" not in words and "连州市" not in words
    assert {"盗窃", "小区", "刷脸"} <= set(words)


def test_a_long_query_is_not_cut():
    query = (
        "，".join(["合同", "履行", "支付", "款项", "期限", "违约", "责任", "损失", "赔偿", "金额"] * 2) + "，非法拘禁"
    )
    terms = similar_text.query_terms(query)
    assert len(terms) > 10 and terms[-1] == "非法拘禁"
    repeated = {t.word: t.weight for t in similar_text.query_analysis(query)}
    assert 1 < repeated["合同"] < 2 and repeated["非法拘禁"] == 1  # a repeated word saturates


def test_the_dictionary_knows_the_charges_and_causes():
    words = similar_text.segment("构成非法拘禁罪和容留他人吸毒罪，另查明系不当得利纠纷")
    assert {"非法拘禁罪", "容留他人吸毒罪", "不当得利纠纷"} <= set(words)


def test_drunk_driving_synonyms():
    assert {"酒后驾驶", "醉酒", "醉酒驾驶"} <= set(similar_text.term_groups(["醉驾"])[0])


# --- ranking -------------------------------------------------------------------------------------------


@ENGINES
def test_a_compound_finds_cases_written_with_its_parts(world, corpus, engine, monkeypatch):
    found = labels(world, "贩卖毒品", engine=engine, monkeypatch=monkeypatch)
    assert found[0] == number(corpus, "drug_sale")
    assert number(corpus, "drug_keep") in found  # 甲基苯丙胺 counts as 毒品


@ENGINES
def test_negation_ranks_the_negated_case_first(world, corpus, engine, monkeypatch):
    found = labels(world, "未约定利息", engine=engine, monkeypatch=monkeypatch)
    assert found[0] == number(corpus, "no_interest")


@ENGINES
def test_an_unclear_agreement_does_not_find_a_missing_person(world, corpus, engine, monkeypatch):
    found = labels(world, "约定不明", engine=engine, monkeypatch=monkeypatch)
    assert found[0] == number(corpus, "unclear")
    assert number(corpus, "missing") not in found


@ENGINES
def test_any_word_matches_and_every_word_ranks_first(world, corpus, engine, monkeypatch):
    found = labels(world, "民间借贷 利息 超过 四倍", engine=engine, monkeypatch=monkeypatch)
    assert set(found[:3]) == {number(corpus, k) for k in ("interest", "interest_high", "no_interest")}
    assert number(corpus, "no_interest") == found[2]  # it has no 四倍 and no 超过


@ENGINES
def test_drunk_driving_finds_driving_after_drinking(world, corpus, engine, monkeypatch):
    assert labels(world, "醉驾 拘役", engine=engine, monkeypatch=monkeypatch)[0] == number(corpus, "drunk")


@ENGINES
def test_facts_as_a_query_find_the_case_of_the_same_kind(world, corpus, engine, monkeypatch):
    query = "原告张某诉称，2023年5月被告李某为索要欠款，将原告关押在其仓库内两日，构成非法拘禁。"
    assert labels(world, query, engine=engine, monkeypatch=monkeypatch)[0] == number(corpus, "detention")


@ENGINES
@pytest.mark.parametrize("order", ["level", "relevance"])
def test_another_courts_decided_cases_never_appear(world, corpus, engine, order, monkeypatch):
    query = "被告人贩卖甲基苯丙胺十克，贩卖毒品罪成立，容留他人吸毒"
    mine = labels(world, query, order=order, engine=engine, monkeypatch=monkeypatch)
    assert number(corpus, "foreign") not in mine and number(corpus, "drug_sale") in mine
    theirs = labels(world, query, order=order, officer=world.other_judge, engine=engine, monkeypatch=monkeypatch)
    assert theirs == [number(corpus, "foreign")]


def test_the_spc_tiers_order_the_documents_with_every_word(world, corpus):
    result = similar_selectors.search(
        officer=world.judge, query="利息 不予支持", filters=similar_selectors.SearchFilters(order="level")
    )
    assert result.matched_all
    both = [h for h in result.hits if h.label in {number(corpus, "interest"), number(corpus, "no_interest")}]
    assert [h.label for h in result.hits[: len(both)]] == [h.label for h in both]  # every word first


def test_postgres_and_the_fallback_score_alike(world, corpus, monkeypatch):
    query = "被告人贩卖甲基苯丙胺，利息超过四倍，未约定利息"
    database = similar_selectors.search(officer=world.judge, query=query).hits
    monkeypatch.setattr(similar_selectors, "full_text_search", lambda: False)
    fallback = similar_selectors.search(officer=world.judge, query=query).hits
    assert [h.label for h in database] == [h.label for h in fallback]
    assert [round(h.score, 6) for h in database] == [round(h.score, 6) for h in fallback]


# --- the statistics --------------------------------------------------------------------------------------


def statistics():
    return dict(TermStatistic.objects.values_list("term", "documents"))


def test_the_statistics_follow_the_documents(world, corpus):
    kept = statistics()
    assert kept[""] == SearchDocument.objects.count()
    assert kept["甲基苯丙胺"] == 3  # two of the court's cases and the other court's
    case = corpus["drug_keep"]
    Case.objects.filter(pk=case.pk).update(facts_summary="被告人多次提供住处容留他人吸食海洛因。")
    similar.index_cases([case.pk])
    after = statistics()
    assert after["甲基苯丙胺"] == 2 and after["海洛因"] == 1 and after[""] == kept[""]
    similar.statistics_rebuild()
    assert statistics() == after  # kept incrementally as a rebuild counts them
    Case.objects.filter(pk=case.pk).update(facts_summary="", disputed_points="", ruling_summary="")
    similar.index_cases([case.pk])
    assert "海洛因" not in statistics() and statistics()[""] == kept[""] - 1


def test_bm25_prefers_the_rare_word():
    statistics = ranking.Statistics(documents=100, average_length=10, frequencies={"被告": 90, "拘禁": 2})
    terms = [similar_text.QueryTerm("被告", 1.0, ("被告",)), similar_text.QueryTerm("拘禁", 1.0, ("拘禁",))]
    groups = ranking.groups_for(terms, statistics)
    common, _ = ranking.score(["被告"] * 3 + ["x"] * 7, groups, statistics)
    rare, _ = ranking.score(["拘禁"] + ["x"] * 9, groups, statistics)
    both, matched = ranking.score(["拘禁", "被告"] + ["x"] * 8, groups, statistics)
    assert rare > common and matched == 2 and both > rare * ranking.ALL_WORDS_BOOST


@ENGINES
def test_the_spc_tiers_apply_to_the_best_results_not_to_every_match(world, corpus, engine, monkeypatch):
    if engine == "fallback":
        monkeypatch.setattr(similar_selectors, "full_text_search", lambda: False)
    documents = similar_selectors._scoped(world.judge, similar_selectors.SearchFilters(), dt.date.today())
    terms = similar_text.query_analysis("被告人在出租屋内贩卖甲基苯丙胺，收取毒资，另有借款利息纠纷")
    scope = similar_selectors.scope_of(world.judge.organisation)
    best, _ = similar_selectors.rank(documents, terms, order="relevance", limit=2, scope=scope)
    tiered, _ = similar_selectors.rank(documents, terms, order="level", limit=2, scope=scope)
    assert {r.pk for r in tiered} == {r.pk for r in best}  # the same two best, only ordered by tier
    assert number(corpus, "drug_sale") in {r.case.case_number for r in best}


# --- pseudo-relevance feedback (RM3) -------------------------------------------------------------------


def test_feedback_lends_the_telling_words_of_the_best_documents_not_the_querys():
    groups = [ranking.Group(("捕捞",), 1.0)]
    best = [(["捕捞", "禁渔区", "渔船", "渔船", "合同", "未知"], 2.0)] * 9 + [(["捕捞", "禁渔区", "网具", "合同"], 1.0)]
    frequencies = {"捕捞": 20, "禁渔区": 10, "渔船": 10, "网具": 10, "合同": 95}
    statistics = ranking.Statistics(documents=100, average_length=5, frequencies=frequencies)
    words = dict(ranking.feedback_words(best, groups, statistics))
    assert "捕捞" not in words and "未知" not in words and abs(sum(words.values()) - 1) < 1e-9
    assert words["渔船"] > words["禁渔区"] > words["网具"] > 0  # by share of the feedback documents
    assert words["禁渔区"] > words["合同"] * 10  # as often in them, but every case has 合同: its idf is small
    assert ranking.feedback_words(best[:9], groups, statistics) == []  # fewer than ten matches: nothing is lent
    lent = ranking.feedback_groups(list(words.items()), [1.0, 1.0], statistics)
    assert {g.words[0] for g in lent} == set(words) and all(g.feedback for g in lent)
    # together as heavy as the query's own words (two here; ten words of its average weight in a long query),
    # each times its idf
    expected = sum(2.0 * share * ranking.idf(frequencies[w], 100) for w, share in words.items())
    assert abs(sum(g.weight for g in lent) - expected) < 1e-9
    long_query = ranking.feedback_groups(list(words.items()), [1.0] * 40, statistics)
    assert abs(sum(g.weight for g in long_query) - expected * ranking.FEEDBACK_TERMS / 2) < 1e-9
    # a lent word is never needed for "every word": the judge's two words are
    _score, matched = ranking.score(["捕捞", "禁渔期"], [*groups, ranking.Group(("禁渔期",), 1.0), *lent], statistics)
    assert matched == 2


FISHING = "被告人在禁渔区使用网具非法捕捞水产品，渔政部门查获渔船一艘，渔获物三百斤。"
FISHING_OTHER_WORDS = "被告人驾驶渔船在长江禁渔期电鱼，渔政部门查获渔获物五十斤。"  # neither 禁渔区 nor 网具


@pytest.fixture
def fishing(world):
    decided = dt.date.today() - dt.timedelta(days=30)
    made = {}
    for n in range(11):
        case = world.case(case_number=f"（2025）沪0101刑初{300 + n}号", cause="非法捕捞水产品罪", closed_on=decided)
        Case.objects.filter(pk=case.pk).update(facts_summary=FISHING)
        made[n] = case
    other = world.case(case_number="（2025）沪0101刑初399号", cause="非法捕捞水产品罪", closed_on=decided)
    Case.objects.filter(pk=other.pk).update(facts_summary=FISHING_OTHER_WORDS)
    made["other_words"] = other
    foreign = world.case(
        organisation=world.other_court, case_number="（2025）苏0102刑初9号", cause="非法捕捞水产品罪", closed_on=decided
    )
    Case.objects.filter(pk=foreign.pk).update(facts_summary=FISHING_OTHER_WORDS)
    made["foreign"] = foreign
    similar.index_cases([c.pk for c in made.values()])
    return made


@ENGINES
def test_feedback_finds_a_case_of_the_kind_that_shares_none_of_the_words(world, fishing, engine, monkeypatch):
    assert not {"网具", "禁渔区"} & set(similar_text.index_tokens("非法捕捞水产品罪\n" + FISHING_OTHER_WORDS))
    found = labels(world, "禁渔区 网具", engine=engine, monkeypatch=monkeypatch)
    assert fishing["other_words"].case_number in found
    assert found.index(fishing["other_words"].case_number) == len(found) - 1  # after every case with the words
    assert fishing["foreign"].case_number not in found  # lent words do not widen the scope


@ENGINES
def test_few_matches_lend_nothing(world, fishing, engine, monkeypatch):
    changed = [fishing[n].pk for n in range(2, 11)]
    Case.objects.filter(pk__in=changed).update(cause="买卖合同纠纷", facts_summary="双方对货物质量约定不明。")
    similar.index_cases(changed)
    found = labels(world, "禁渔区 网具", engine=engine, monkeypatch=monkeypatch)
    assert sorted(found) == [fishing[0].case_number, fishing[1].case_number]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="CLUSTER is PostgreSQL's")
def test_reindex_can_store_the_documents_in_court_order(world, corpus, capsys):
    before = labels(world, "贩卖毒品")
    call_command("reindex_search", "--cluster")
    assert "documents stored in court order" in capsys.readouterr().out
    with connection.cursor() as cursor:  # the physical order (ctid) is the court order
        cursor.execute("SELECT organisation_id FROM cases_searchdocument WHERE case_id IS NOT NULL ORDER BY ctid")
        courts = [row[0] for row in cursor.fetchall()]
    assert courts == sorted(courts) and len(set(courts)) == 2
    assert labels(world, "贩卖毒品") == before


# --- the postings (PostgreSQL's inverted index, similar/0005) -----------------------------------------------

POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="the postings are PostgreSQL's")


def postings():
    with connection.cursor() as cursor:
        cursor.execute("SELECT term, court, document_id, tf, length, level, decided_on FROM similar_posting")
        return sorted(cursor.fetchall())


def postings_of_the_documents():
    """What the postings must hold: each document's words, how often each, with the document's court (0: none),
    length, level and date."""
    return sorted(
        (word, d.organisation_id or 0, d.pk, n, d.length, d.level, d.decided_on)
        for d in SearchDocument.objects.all()
        for word, n in Counter(d.tokens.split()).items()
    )


@POSTGRES
def test_the_postings_follow_the_documents(world, corpus):
    assert postings() == postings_of_the_documents() and len(postings()) > 50
    drug = SearchDocument.objects.get(case=corpus["drug_sale"])
    assert ("甲基苯丙胺", world.court.pk, drug.pk, 1, drug.length, None, drug.decided_on) in postings()
    Case.objects.filter(pk=corpus["drug_sale"].pk).update(facts_summary="被告人贩卖海洛因，又贩卖海洛因。")
    similar.index_cases([corpus["drug_sale"].pk])  # re-indexed: a new document, the old one's postings gone
    assert postings() == postings_of_the_documents()
    now = SearchDocument.objects.get(case=corpus["drug_sale"])
    assert not [p for p in postings() if p[2] == drug.pk] and ("海洛因", world.court.pk, now.pk, 2) in {
        p[:4] for p in postings()
    }
    Case.objects.filter(pk=corpus["missing"].pk).update(facts_summary="", disputed_points="", ruling_summary="")
    similar.index_cases([corpus["missing"].pk])  # no longer searchable
    assert postings() == postings_of_the_documents()
    reference = ReferenceCase.objects.create(level=SourceLevel.GUIDING, number="指导案例1号", title="贩卖毒品案")
    similar.index_reference(reference)  # a reference case of no court: court 0
    assert postings() == postings_of_the_documents()
    assert any(court == 0 and level == SourceLevel.GUIDING for _w, court, _d, _tf, _len, level, _on in postings())
    SearchDocument.objects.filter(reference=reference).update(decided_on=dt.date(2020, 1, 1))
    assert postings() == postings_of_the_documents()


@ENGINES
def test_every_word_is_the_judges_words_not_a_compounds_parts(world, corpus, engine, monkeypatch):
    # a document holding a compound without its parts (as a load that bypasses the index's analysis writes it) has
    # every word of 贩卖毒品 海洛因: the parts 贩卖, 毒品 weigh in the ranking but are not asked for
    case = world.case(case_number="（2025）沪0101刑初77号", cause="贩卖毒品罪", closed_on=dt.date.today())
    tokens = " 贩卖毒品 海洛因 "
    SearchDocument.objects.create(
        case=case, organisation=world.court, decided_on=case.closed_on, tokens=tokens, length=2
    )
    similar.statistics_change(added=[tokens])
    if engine == "fallback":
        monkeypatch.setattr(similar_selectors, "full_text_search", lambda: False)
    result = similar_selectors.search(officer=world.judge, query="贩卖毒品 海洛因")
    assert result.matched_all and result.hits[0].label == case.case_number
    assert [h.label for h in result.hits if h.label == number(corpus, "drug_sale")]  # found by the parts


@POSTGRES
@pytest.mark.parametrize("narrowing", [{"recent_only": True}, {"levels": (int(SourceLevel.HIGHER),)}])
def test_a_date_or_level_filter_on_the_postings_finds_what_joining_the_documents_finds(world, corpus, narrowing):
    SearchDocument.objects.filter(case=corpus["interest"]).update(decided_on=dt.date(2015, 1, 1))  # postings too
    higher = world.case(
        organisation=world.high, case_number="（2025）沪刑终1号", cause="贩卖毒品罪", closed_on=dt.date.today()
    )
    Case.objects.filter(pk=higher.pk).update(facts_summary="被告人贩卖甲基苯丙胺，上诉被驳回。")
    similar.index_cases([higher.pk])
    terms = similar_text.query_analysis("贩卖毒品 利息")
    everything, _ = similar_selectors.rank(
        similar_selectors._scoped(world.judge, similar_selectors.SearchFilters(), dt.date.today()),
        terms,
        limit=50,
        scope=similar_selectors.scope_of(world.judge.organisation),
    )
    filters = similar_selectors.SearchFilters(**narrowing)
    documents = similar_selectors._scoped(world.judge, filters, dt.date.today())
    scope = similar_selectors.scope_of(world.judge.organisation, filters)
    assert not scope.narrowed  # applied to the postings, not by joining the documents
    on_postings, _ = similar_selectors.rank(documents, terms, limit=50, scope=scope)
    joined, _ = similar_selectors.rank(documents, terms, limit=50, scope=replace(scope, narrowed=True))
    assert [(r.pk, round(r.score, 9)) for r in on_postings] == [(r.pk, round(r.score, 9)) for r in joined]
    assert 0 < len(on_postings) < len(everything)  # the filter left something out, not everything
