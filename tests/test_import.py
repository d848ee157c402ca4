"""import_data as INTERCHANGE.md says: all-or-nothing, every bad row reported, idempotent, XLSX too."""

from __future__ import annotations

import csv
import datetime as dt
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from accountability.chain import CASE_TRACE, GENESIS_HASH
from accountability.models import Department, Officer, Organisation
from cases.audit import verify_chains
from cases.models import Action, Case, ImportBatch
from evaluation.models import WeightRule
from interchange.importing.importer import ACTION_COLUMNS, Importer, _ActionLinks, _ahead, _NewAction

pytestmark = pytest.mark.django_db

HEADERS = {
    "organisations": ["code", "name", "kind", "level", "parent_code"],
    "departments": ["organisation_code", "code", "name"],
    "officers": ["officer_id", "name", "organisation_code", "department_code", "roles", "post", "is_quota"],
    "cases": [
        "case_number",
        "organisation_code",
        "department_code",
        "case_type",
        "procedure",
        "cause",
        "filed_on",
        "time_limit_days",
        "extension_days",
        "excluded_days",
        "lead_officer_id",
        "closed_on",
        "closing_method",
        "outcome",
        "original_case_number",
        "parties_count",
        "claim_amount",
        "awarded_amount",
        "recovered_amount",
    ],
    "actions": ["case_number", "occurred_at", "actor_officer_id", "action_type", "note"],
    "weights": ["case_type", "procedure", "cause", "weight"],
}

ORGS = [
    ["SHG", "上海市高级人民法院", "court", "high", ""],
    ["SH01", "上海市第一中级人民法院", "court", "intermediate", "SHG"],
    ["SH0101", "上海市黄浦区人民法院", "court", "basic", "SH01"],
]
DEPTS = [["SH0101", "MS", "民事审判庭"], ["SH01", "MS", "民事审判庭"]]
OFFICERS = [
    ["J001", "王芳", "SH0101", "MS", "judge", "none", "true"],
    ["J002", "李强", "SH0101", "MS", "judge;division_chief", "division_chief", "true"],
    ["A001", "赵敏", "SH0101", "MS", "assistant", "none", "false"],
    ["J101", "陈刚", "SH01", "MS", "judge", "", "true"],
]
CASES = [
    # appeal listed before the case it comes from: allowed
    [
        "（2024）沪01民终7号",
        "SH01",
        "MS",
        "civil",
        "second_instance",
        "民间借贷纠纷",
        "2024-05-01",
        "90",
        "",
        "",
        "J101",
        "2024-06-20",
        "judgment",
        "amended",
        "（2024）沪0101民初1号",
        "2",
        "",
        "",
        "",
    ],
    [
        "（2024）沪0101民初1号",
        "SH0101",
        "MS",
        "civil",
        "first_instance",
        "民间借贷纠纷",
        "2024-01-02",
        "180",
        "0",
        "10",
        "J001",
        "2024-03-31",
        "judgment",
        "",
        "",
        "2",
        "150000.50",
        "",
        "",
    ],
    [
        "（2024）沪0101民初2号",
        "SH0101",
        "MS",
        "civil",
        "first_instance",
        "买卖合同纠纷",
        "2024-02-01",
        "90",
        "",
        "",
        "J002",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "（2024）沪0101执5号",
        "SH0101",
        "",
        "enforcement",
        "enforcement",
        "",
        "2024-04-01",
        "180",
        "",
        "",
        "J001",
        "2024-08-01",
        "other",
        "",
        "（2024）沪0101民初1号",
        "",
        "",
        "100000",
        "60000.25",
    ],
]
ACTIONS = [
    ["（2024）沪0101民初1号", "2024-01-02T09:00:00+08:00", "J002", "filed", ""],
    ["（2024）沪0101民初1号", "2024-02-01T09:30:00+08:00", "J001", "hearing_held", "第一次开庭"],
    ["（2024）沪0101民初1号", "2024-03-31T16:00:00+08:00", "J001", "closed", ""],
    ["（2024）沪0101民初2号", "2024-02-01T10:00:00Z", "", "filed", ""],
    ["（2024）沪01民终7号", "2024-05-10T10:00:00+08:00", "J101", "extension_approved", ""],
]
WEIGHTS = [
    ["civil", "", "", "1.0"],
    ["civil", "first_instance", "民间借贷纠纷", "1.2"],
    ["enforcement", "enforcement", "", "0.5"],
]
ALL = {
    "organisations": ORGS,
    "departments": DEPTS,
    "officers": OFFICERS,
    "cases": CASES,
    "actions": ACTIONS,
    "weights": WEIGHTS,
}


def write_csv(
    directory: Path, stem: str, rows: list[list[str]], *, header: list[str] | None = None, bom: bool = False
) -> None:
    with (directory / f"{stem}.csv").open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or HEADERS[stem])
        writer.writerows(rows)


def write_all(directory: Path, overrides: dict[str, list[list[str]]] | None = None) -> Path:
    for stem, rows in {**ALL, **(overrides or {})}.items():
        write_csv(directory, stem, rows)
    return directory


def run(directory: Path, *, dry_run: bool = False):
    return Importer(directory).run(dry_run=dry_run)


def counts_of_everything() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Department.objects.count(),
        Officer.objects.count(),
        Case.objects.count(),
        Action.objects.count(),
        WeightRule.objects.count(),
    )


def test_full_import_writes_everything_and_chains_the_actions(tmp_path):
    result = run(write_all(tmp_path))
    assert result.problems == []
    assert counts_of_everything() == (3, 2, 4, 4, 5, 3)
    appeal = Case.objects.get(case_number="（2024）沪01民终7号")
    assert (appeal.original_case.case_number, appeal.outcome, appeal.lead_officer.officer_id) == (
        "（2024）沪0101民初1号",
        "amended",
        "J101",
    )
    first = Case.objects.get(case_number="（2024）沪0101民初1号")
    assert (first.claim_amount, first.excluded_days, first.extension_days) == (Decimal("150000.50"), 10, 0)
    enforcement = Case.objects.get(case_number="（2024）沪0101执5号")
    assert (enforcement.department, enforcement.recovered_amount) == (None, Decimal("60000.25"))
    assert list(first.actions.values_list("seq", "action_type", "source")) == [
        (1, "filed", "import"),
        (2, "hearing_held", "import"),
        (3, "closed", "import"),
    ]
    first.refresh_from_db()
    assert (first.trace_length, first.trace_head) == (3, first.actions.last().hash)
    assert Organisation.objects.get(code="SH0101").path.startswith(Organisation.objects.get(code="SHG").path)
    chief = Officer.objects.get(officer_id="J002")
    assert (sorted(chief.role_codes), chief.post, chief.is_quota, chief.user.has_usable_password()) == (
        ["division_chief", "judge"],
        "division_chief",
        True,
        False,
    )
    assert verify_chains() == []
    batch = ImportBatch.objects.get()
    assert batch.counts["actions"] == {"created": 5}
    assert Action.objects.filter(import_batch=batch).count() == 5


def test_second_import_changes_nothing(tmp_path):
    write_all(tmp_path)
    run(tmp_path)
    before = counts_of_everything()
    heads = dict(Case.objects.values_list("case_number", "trace_head"))
    result = run(tmp_path)
    assert result.problems == []
    assert counts_of_everything() == before
    assert dict(Case.objects.values_list("case_number", "trace_head")) == heads
    assert {stem: dict(c) for stem, c in result.counts.items()} == {
        "organisations": {"unchanged": 3},
        "departments": {"unchanged": 2},
        "officers": {"unchanged": 4},
        "cases": {"unchanged": 4},
        "actions": {"unchanged": 5},
        "weights": {"unchanged": 3},
    }


def test_changed_case_row_is_appended_to_the_trace(tmp_path):
    write_all(tmp_path)
    run(tmp_path)
    changed = [row[:] for row in CASES]
    changed[2][11:13] = ["2024-04-30", "mediation"]  # 民初2号 now closed by mediation
    changed[2][7] = "180"
    write_csv(tmp_path, "cases", changed)
    result = run(tmp_path)
    assert dict(result.counts["cases"]) == {"unchanged": 3, "updated": 1}
    case = Case.objects.get(case_number="（2024）沪0101民初2号")
    assert (case.closed_on, case.closing_method, case.time_limit_days, case.version) == (
        dt.date(2024, 4, 30),
        "mediation",
        180,
        2,
    )
    change = case.actions.get(action_type="imported_change")
    assert change.payload["changes"] == {
        "closed_on": [None, "2024-04-30"],
        "closing_method": [None, "mediation"],
        "time_limit_days": [90, 180],
    }
    assert (change.seq, change.source) == (2, "import")
    assert verify_chains() == []


@pytest.mark.parametrize(
    ("stem", "row", "expected"),
    [
        ("organisations", ["X", "某院", "court", "county", ""], "organisations.csv:5: level: 'county' is not one of"),
        (
            "organisations",
            ["X", "某院", "court", "basic", "NOPE"],
            "organisations.csv:5: parent_code: 'NOPE' is neither",
        ),
        ("organisations", ["SHG", "重复", "court", "high", ""], "organisations.csv:5: code: 'SHG' appears twice"),
        ("departments", ["NOPE", "D", "某庭"], "departments.csv:4: organisation_code: unknown organisation 'NOPE'"),
        (
            "officers",
            ["J9", "某人", "SH0101", "XX", "judge", "none", "true"],
            "officers.csv:6: department_code: 'XX' is not",
        ),
        (
            "officers",
            ["J9", "某人", "SH0101", "MS", "judge;pilot", "none", "true"],
            "officers.csv:6: roles: unknown role(s) pilot",
        ),
        (
            "officers",
            ["J9", "某人", "SH0101", "MS", "judge", "none", "yes"],
            "officers.csv:6: is_quota: 'yes' is not true or false",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "civil", "first_instance", "", "2024/01/02"] + [""] * 12,
            "cases.csv:6: filed_on: '2024/01/02' is not a date",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "civil", "first_instance", "", "2024-02-30"] + [""] * 12,
            "cases.csv:6: filed_on: '2024-02-30' is not a real date",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "civil", "first_instance", "", "2024-03-01", "-5"] + [""] * 11,
            "cases.csv:6: time_limit_days: '-5' is not a whole number",
        ),
        (
            "cases",
            [
                "C9",
                "SH0101",
                "MS",
                "civil",
                "first_instance",
                "",
                "2024-03-01",
                "",
                "",
                "",
                "",
                "2024-02-01",
                "judgment",
            ]
            + [""] * 6,
            "cases.csv:6: closed_on: 2024-02-01 is before filed_on 2024-03-01",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "civil", "first_instance", "", "2024-03-01", "", "", "", "", "", "judgment"]
            + [""] * 6,
            "cases.csv:6: closing_method: given for a case that is not closed",
        ),
        (
            "cases",
            [
                "C9",
                "SH0101",
                "MS",
                "civil",
                "first_instance",
                "",
                "2024-03-01",
                "",
                "",
                "",
                "",
                "2024-04-01",
                "judgment",
                "upheld",
            ]
            + [""] * 5,
            "cases.csv:6: outcome: only second_instance and retrial",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "civil", "first_instance", "", "2024-03-01", "", "", "", "NOBODY"] + [""] * 8,
            "cases.csv:6: lead_officer_id: unknown officer 'NOBODY'",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "civil", "second_instance", "", "2024-03-01"] + [""] * 7 + ["MISSING"] + [""] * 4,
            "cases.csv:6: original_case_number: unknown case 'MISSING'",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "civil", "first_instance", "", "2024-03-01"] + [""] * 9 + ["-1", "", ""],
            "cases.csv:6: claim_amount: '-1' must be an amount",
        ),
        (
            "cases",
            ["C9", "SH0101", "MS", "divorce", "first_instance", "", "2024-03-01"] + [""] * 12,
            "cases.csv:6: case_type: 'divorce' is not one of",
        ),
        (
            "cases",
            ["（2024）沪0101民初1号", "SH0101", "MS", "civil", "first_instance", "", "2024-03-01"] + [""] * 12,
            "cases.csv:6: case_number: '（2024）沪0101民初1号' appears twice",
        ),
        (
            "actions",
            ["NOPE", "2024-01-02T09:00:00+08:00", "J001", "note", ""],
            "actions.csv:7: case_number: unknown case 'NOPE'",
        ),
        (
            "actions",
            ["（2024）沪0101民初1号", "2024-01-02T09:00:00", "J001", "note", ""],
            "actions.csv:7: occurred_at: '2024-01-02T09:00:00' is not an ISO 8601 time with an offset",
        ),
        (
            "actions",
            ["（2024）沪0101民初1号", "2024-01-02T09:00:00+08:00", "J999", "note", ""],
            "actions.csv:7: actor_officer_id: unknown officer 'J999'",
        ),
        (
            "actions",
            ["（2024）沪0101民初1号", "2024-01-02T09:00:00+08:00", "J001", "teleported", ""],
            "actions.csv:7: action_type: 'teleported' is not one of",
        ),
        ("weights", ["civil", "", "", "abc"], "weights.csv:5: weight: 'abc' is not a decimal weight"),
        (
            "weights",
            ["civil", "", "", "2"],
            "weights.csv:5: case_type: the same case_type, procedure and cause appear twice",
        ),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(tmp_path, stem, row, expected):
    write_all(tmp_path, {stem: [*ALL[stem], row]})
    result = run(tmp_path)
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    assert str(result.problems[0]).startswith(expected)
    assert counts_of_everything() == (0, 0, 0, 0, 0, 0)


def test_every_problem_is_reported_and_the_command_exits_1_without_traceback(tmp_path, capsys):
    write_all(
        tmp_path,
        {
            "cases": [*CASES, ["C9", "SH0101", "MS", "civil", "first_instance", "", "bad"] + [""] * 12],
            "actions": [*ACTIONS, ["NOPE", "yesterday", "J001", "note", ""]],
        },
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", str(tmp_path))
    err = capsys.readouterr().err
    assert exit_info.value.code == 1
    lines = [line for line in err.splitlines() if re.match(r"^\S+\.csv:\d+: ", line)]
    assert lines == [
        "cases.csv:6: filed_on: 'bad' is not a date in the form YYYY-MM-DD",
        "actions.csv:7: occurred_at: 'yesterday' is not an ISO 8601 time with an offset (e.g. 2024-03-01T09:30:00+08:00)",
    ]
    assert "Traceback" not in err
    assert counts_of_everything() == (0, 0, 0, 0, 0, 0)


def test_missing_column_is_reported_on_line_1(tmp_path):
    write_all(tmp_path)
    write_csv(tmp_path, "weights", [["civil", "", "1.0"]], header=["case_type", "procedure", "weight"])
    result = run(tmp_path)
    assert [str(p) for p in result.problems] == ["weights.csv:1: cause: missing column"]


def test_dry_run_counts_but_writes_nothing(tmp_path, capsys):
    write_all(tmp_path)
    call_command("import_data", str(tmp_path), "--dry-run")
    out = capsys.readouterr().out
    assert "cases: 4 created" in out
    assert "actions: 5 created" in out
    assert counts_of_everything() == (0, 0, 0, 0, 0, 0)
    assert ImportBatch.objects.count() == 0


def test_bom_and_only_some_files(tmp_path):
    write_csv(tmp_path, "organisations", ORGS, bom=True)
    result = run(tmp_path)
    assert result.problems == []
    assert Organisation.objects.count() == 3


def test_files_may_reference_stored_rows(tmp_path):
    write_all(tmp_path)
    run(tmp_path)
    later = tmp_path / "later"
    later.mkdir()
    write_csv(later, "actions", [["（2024）沪0101民初2号", "2024-03-01T09:00:00+08:00", "J002", "hearing_held", ""]])
    result = run(later)
    assert result.problems == []
    case = Case.objects.get(case_number="（2024）沪0101民初2号")
    assert list(case.actions.values_list("seq", "action_type")) == [(1, "filed"), (2, "hearing_held")]
    assert verify_chains() == []


def test_xlsx_files_are_accepted_in_place_of_csv(tmp_path):
    for stem, rows in ALL.items():
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(HEADERS[stem])
        for row in rows:
            cells: list[object] = list(row)
            if stem == "cases":  # typed cells, as a spreadsheet would hold them
                cells[6] = dt.date.fromisoformat(row[6])
                cells[7] = int(row[7])
            sheet.append([None if c == "" else c for c in cells])
        workbook.save(tmp_path / f"{stem}.xlsx")
    result = run(tmp_path)
    assert result.problems == []
    assert counts_of_everything() == (3, 2, 4, 4, 5, 3)
    assert Case.objects.get(case_number="（2024）沪0101民初1号").filed_on == dt.date(2024, 1, 2)


def test_csv_and_xlsx_of_the_same_file_is_a_problem(tmp_path):
    write_all(tmp_path)
    Workbook().save(tmp_path / "weights.xlsx")
    result = run(tmp_path)
    assert [str(p) for p in result.problems] == [
        "weights.xlsx:0: -: both weights.csv and weights.xlsx are present; keep one"
    ]


def test_head_cache_flush_keeps_chains_right(tmp_path, monkeypatch):
    """With a tiny head cache the writer writes heads back and reloads them mid-file: chains stay intact."""
    from interchange.importing import importer

    monkeypatch.setattr(importer, "HEADS_IN_MEMORY", 1)
    shuffled = [ACTIONS[3], ACTIONS[0], ACTIONS[4], ACTIONS[1], ACTIONS[2]]
    write_all(tmp_path, {"actions": shuffled})
    result = Importer(tmp_path, chunk_size=2).run()
    assert result.problems == []
    assert verify_chains() == []
    case = Case.objects.get(case_number="（2024）沪0101民初1号")
    assert (case.trace_length, list(case.actions.values_list("action_type", flat=True))) == (
        3,
        ["filed", "hearing_held", "closed"],
    )


def test_duplicate_rows_in_one_file_are_one_action(tmp_path):
    write_all(tmp_path, {"actions": [*ACTIONS, ACTIONS[1]]})
    result = Importer(tmp_path, chunk_size=2).run()
    assert (result.problems, dict(result.counts["actions"])) == ([], {"created": 5, "unchanged": 1})


def test_changing_an_original_link_is_traced(tmp_path):
    write_all(tmp_path)
    run(tmp_path)
    changed = [row[:] for row in CASES]
    changed[3][14] = "（2024）沪0101民初2号"  # the enforcement case now comes from 民初2号
    write_csv(tmp_path, "cases", changed)
    run(tmp_path)
    case = Case.objects.get(case_number="（2024）沪0101执5号")
    assert case.original_case.case_number == "（2024）沪0101民初2号"
    assert case.actions.get(action_type="imported_change").payload["changes"] == {
        "original_case_number": ["（2024）沪0101民初1号", "（2024）沪0101民初2号"]
    }


def test_reparenting_an_organisation_moves_its_subtree(tmp_path):
    write_all(tmp_path)
    run(tmp_path)
    moved = [row[:] for row in ORGS]
    moved.insert(2, ["SH02", "上海市第二中级人民法院", "court", "intermediate", "SHG"])
    moved[3][4] = "SH02"
    write_csv(tmp_path, "organisations", moved)
    assert run(tmp_path).problems == []
    basic = Organisation.objects.get(code="SH0101")
    assert basic.path.startswith(Organisation.objects.get(code="SH02").path)


def test_a_cycle_of_organisations_is_refused(tmp_path):
    write_all(tmp_path)
    run(tmp_path)
    cyclic = [row[:] for row in ORGS]
    cyclic[0][4] = "SH0101"  # the high court under its own basic court
    write_csv(tmp_path, "organisations", cyclic)
    result = run(tmp_path)
    assert [str(p) for p in result.problems] == ["organisations.csv:2: parent_code: 'SH0101' is below 'SHG': a cycle"]


def test_a_cycle_of_original_cases_is_refused(tmp_path):
    looping = [row[:] for row in CASES]
    looping[1][14] = "（2024）沪01民终7号"  # 民初1号 now "comes from" the appeal that comes from it
    looping[1][12], looping[1][13] = "judgment", ""
    write_all(tmp_path, {"cases": looping})
    result = run(tmp_path)
    assert [str(p) for p in result.problems] == [
        "cases.csv:2: original_case_number: '（2024）沪0101民初1号' leads back to '（2024）沪01民终7号': a cycle"
    ]


def test_a_new_officer_cannot_take_another_officers_login(tmp_path, world):
    # world's officer "judge" has officer_id "judge" and login "judge"; rename the officer, keep the login
    world.judge.officer_id = "J-WANG"
    world.judge.save()
    write_csv(tmp_path, "organisations", ORGS)
    write_csv(tmp_path, "departments", DEPTS)
    write_csv(tmp_path, "officers", [["judge", "新人", "SH0101", "MS", "judge", "none", "true"]])
    result = run(tmp_path)
    assert [str(p) for p in result.problems] == [
        "officers.csv:2: officer_id: 'judge' is already the login of another officer"
    ]


AWKWARD_NOTES = ['引号"与,逗号', "back\\slash", "两行\n第二行", "\\.", "tab\there", "分隔\u2028中间\x01", "😀", ""]


def test_awkward_notes_are_stored_exactly_and_chained(tmp_path):
    """COPY's CSV quoting and the import's own spelling of the canonical JSON: every note comes back as written."""
    actions = [
        ["（2024）沪0101民初2号", f"2024-02-{day + 2:02d}T10:00:00+08:00", "J001" if day % 2 else "", "note", note]
        for day, note in enumerate(AWKWARD_NOTES)
    ]
    result = run(write_all(tmp_path, {"actions": actions}))
    assert result.problems == []
    case = Case.objects.get(case_number="（2024）沪0101民初2号")
    assert list(case.actions.order_by("seq").values_list("note", flat=True)) == AWKWARD_NOTES
    assert verify_chains() == []
    assert run(tmp_path).counts["actions"] == {"unchanged": len(AWKWARD_NOTES)}


@pytest.mark.parametrize("recorded_by_id", [None, 42])
def test_the_imports_hash_is_the_case_traces_hash(recorded_by_id):
    """``_ActionLinks.hash`` spells out CASE_TRACE's canonical JSON: byte for byte the same link hash."""
    links = _ActionLinks(
        batch_id=7, recorded_at=dt.datetime(2026, 12, 5, 1, 2, 3, 456789, tzinfo=dt.UTC), recorded_by_id=recorded_by_id
    )
    zone = dt.timezone(dt.timedelta(hours=8))
    for seq, note in enumerate(AWKWARD_NOTES, start=1):
        action = _NewAction(
            case_id=12345,
            seq=seq,
            case_year=2024,
            action_type="hearing_held",
            occurred_at=dt.datetime(2024, 2, 1, 9, 30, seq, 250, tzinfo=zone),
            actor_id=None if seq % 3 else 99,
            note=note,
            dedup_key="k" * 64,
            prev_hash=GENESIS_HASH if seq == 1 else "f" * 64,
        )
        row = links.row(action)
        assert links.hash(action) == CASE_TRACE.hash(action.prev_hash, row)


def test_the_imports_copy_names_every_action_column():
    fields = [f.attname for f in Action._meta.concrete_fields if not f.primary_key]
    assert sorted(ACTION_COLUMNS) == sorted(fields)


def test_the_reader_threads_error_is_raised_in_the_writer_and_an_early_stop_ends_it():
    def failing():
        yield 1
        raise ValueError("unreadable")

    with pytest.raises(ValueError, match="unreadable"):
        list(_ahead(failing()))
    ahead = _ahead(iter(range(1000)), depth=1)
    assert next(ahead) == 0
    ahead.close()  # joins the producer, which was blocked on a full queue
    assert [t.name for t in threading.enumerate() if t.name == "import-reader"] == []
