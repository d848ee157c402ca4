"""A realistic demo: Shanghai-style courts and a procuratorate, officers of every role, two years of cases.

The bulk is written as interchange files and loaded by the importer (the same
validated path real data takes); the named demo logins' open cases are then
assigned through the services so their panels, assistants and clerks exist.
Deterministic for a given seed and day.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accountability.errors import DomainError
from accountability.models import Officer, Organisation
from accountability.services import officer_save, organisation_save
from cases import services
from cases.models import Case
from dashboards.selectors import calendar_months
from discipline import services as discipline
from discipline.models import Committee, CommitteeMember
from evaluation.metrics import Window
from evaluation.models import DefectItem, Review
from evaluation.reviews import (
    review_add_case,
    review_assign,
    review_finalise,
    review_grade,
    review_plan_create,
    review_respond,
)
from evaluation.services import metric_run_nightly, metrics_store
from interchange import demo_assessment, demo_dashboard, demo_deliberation, demo_procuratorate, demo_stages
from interchange.importing.importer import SPECS, Importer
from interchange.importing.references import import_reference_cases
from interference.selectors import quarter_of
from interference.services import record_interference, report_file
from similar.text import SAMPLE_REFERENCES
from supervision.models import Situation
from supervision.services import flag_decide, flag_raise, sweep, task_require

COURTS = [
    # code, name, kind, level, parent, number prefix
    ("SHG", "上海市高级人民法院", "court", "high", "", "沪"),
    ("SH01", "上海市第一中级人民法院", "court", "intermediate", "SHG", "沪01"),
    ("SH02", "上海市第二中级人民法院", "court", "intermediate", "SHG", "沪02"),
    ("SH0101", "上海市黄浦区人民法院", "court", "basic", "SH01", "沪0101"),
    ("SH0104", "上海市徐汇区人民法院", "court", "basic", "SH01", "沪0104"),
    ("SH0106", "上海市静安区人民法院", "court", "basic", "SH02", "沪0106"),
    ("SHJ0101", "上海市黄浦区人民检察院", "procuratorate", "basic", "", "沪黄检"),
]
BASIC = ["SH0101", "SH0104", "SH0106"]
COURT_DEPARTMENTS = [
    ("LA", "立案庭"),
    ("MS1", "民事审判第一庭"),
    ("MS2", "民事审判第二庭"),
    ("XS", "刑事审判庭"),
    ("XZ", "行政审判庭"),
    ("ZX", "执行局"),
    ("SG", "审判管理办公室"),
]
UPPER_DEPARTMENTS = [
    ("LA", "立案庭"),
    ("MS", "民事审判庭"),
    ("XS", "刑事审判庭"),
    ("XZ", "行政审判庭"),
    ("SG", "审判管理办公室"),
]
PROCURATORATE_DEPARTMENTS = [("JC1", "第一检察部"), ("JC2", "第二检察部"), ("AG", "案件管理部")]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁琳晨辰欣怡佳雪倩颖婷露瑶璐"

CIVIL_CAUSES = [
    "民间借贷纠纷",
    "买卖合同纠纷",
    "离婚纠纷",
    "机动车交通事故责任纠纷",
    "劳动争议",
    "房屋租赁合同纠纷",
    "金融借款合同纠纷",
    "物业服务合同纠纷",
]
CRIMINAL_CAUSES = ["盗窃罪", "危险驾驶罪", "诈骗罪", "故意伤害罪", "帮助信息网络犯罪活动罪"]
ADMIN_CAUSES = ["政府信息公开", "行政处罚", "行政强制", "行政许可"]

#: What decided demo cases were about (争议焦点, 裁判要旨), by cause: the text similar-case search finds.
DISPUTES: dict[str, list[tuple[str, str]]] = {
    "民间借贷纠纷": [
        (
            "借款是否实际交付；预先扣除的利息应否计入本金",
            "本金按实际出借金额认定，利息不超过一年期贷款市场报价利率四倍",
        ),
        ("借条约定的月利率是否过高", "超过法定上限部分的利息不予支持"),
        ("丈夫个人名义借款是否属于夫妻共同债务", "出借人未证明借款用于家庭共同生活，配偶不承担还款责任"),
    ],
    "买卖合同纠纷": [
        ("货物质量不合格能否拒付货款", "买受人未在检验期内提出异议，视为质量合格，应支付货款"),
        ("离职业务员签订的合同是否构成表见代理", "相对人有理由相信其有代理权，构成表见代理"),
    ],
    "离婚纠纷": [
        ("子女抚养权归属及抚养费数额", "子女随母亲生活，父亲按月支付抚养费"),
        ("彩礼应否返还", "共同生活时间较短，酌情返还部分彩礼"),
    ],
    "机动车交通事故责任纠纷": [
        ("交强险与商业三者险的赔偿顺序", "先由交强险限额内赔偿，超出部分按责任比例由商业三者险赔偿"),
        ("误工费、护理费的计算标准", "按受害人实际收入减少计算误工费，护理期限参照鉴定意见"),
    ],
    "劳动争议": [
        ("用人单位解除劳动合同是否合法", "未经培训或调岗即以不能胜任为由解除，属违法解除，应支付赔偿金"),
        ("加班费的计算基数", "按劳动合同约定的工资标准计算加班费"),
    ],
    "房屋租赁合同纠纷": [
        ("承租人提前退租能否要求返还押金", "承租人违约提前退租，押金可抵扣出租人的实际损失"),
        ("逾期支付租金能否解除合同", "承租人逾期支付租金超过合理期限，出租人有权解除合同"),
    ],
    "金融借款合同纠纷": [
        ("逾期利息、罚息和复利能否同时主张", "逾期利息、罚息、复利总和不超过合同成立时利率上限"),
    ],
    "物业服务合同纠纷": [
        ("业主以电梯故障为由拒交物业费", "物业服务存在瑕疵的酌减物业费，但业主不得拒交全部物业费"),
        ("停车位管理费的收取标准", "按物业服务合同约定的标准收取停车位管理费"),
    ],
    "盗窃罪": [("入户盗窃的认定", "进入他人居住的出租屋窃取财物，属于入户盗窃")],
    "危险驾驶罪": [("醉酒驾驶机动车能否适用缓刑", "血液酒精含量较低、认罪认罚、未发生事故的，可以适用缓刑")],
    "诈骗罪": [("虚构投资项目骗取财物的数额认定", "以实际骗取的金额认定犯罪数额，退赔可以从轻处罚")],
    "故意伤害罪": [("是否构成正当防卫", "防卫行为明显超过必要限度，构成防卫过当，应当减轻处罚")],
    "帮助信息网络犯罪活动罪": [("出售银行卡是否明知他人实施犯罪", "多次出售银行卡并获取报酬，应认定明知")],
}

#: The demo logins the README and ``make run`` print.
DEMO_LOGINS = [
    ("judge1", "法官（黄浦区法院民一庭，承办人）：首页待办有到期、超期的流程节点，可申请延长审限、变更承办人"),
    ("assistant1", "法官助理（民一庭）"),
    ("clerk1", "书记员（民一庭）：记录送达、开庭，结案后归档"),
    ("chief1", "庭长（民一庭）：审批事项中有待批的指定分案、变更承办人"),
    ("president1", "院长（黄浦区法院）：审批事项中有待批的延长审限、回避、指定分案、变更承办人"),
    ("evaluator1", "评查员（黄浦区法院审管办）：评查案件、提交评查结论（有待评查的案件）"),
    (
        "casemgmt1",
        "审判管理办公室（黄浦区法院）：制定评查计划（随机抽查、重点评查、指定案件）、分配评查员、"
        "对他人评查的结果审核定案（有待定案的评查）",
    ),
    ("filing1", "立案庭（黄浦区法院）：立案、不予受理、随机分案（有待分案的案件）"),
    ("committee1", "法官惩戒委员会委员（高院）"),
    ("inspector1", "督察（高院）"),
    ("admin", "系统管理员（超级用户）"),
]


@dataclass
class DemoData:
    organisations: list[list[str]] = field(default_factory=list)
    departments: list[list[str]] = field(default_factory=list)
    officers: list[list[str]] = field(default_factory=list)
    cases: list[list[str]] = field(default_factory=list)
    actions: list[list[str]] = field(default_factory=list)


class _Generator:
    def __init__(self, *, seed: int, today: dt.date, cases_per_basic_court: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        self.today = today
        self.per_court = cases_per_basic_court
        self.data = DemoData()
        self.names: set[str] = set()
        self.handlers: dict[tuple[str, str], list[str]] = {}  # (org, dept) -> quota judge ids
        self.serial: dict[str, int] = {}

    def name(self) -> str:
        while True:
            candidate = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2))
            )
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate

    def officer(
        self,
        officer_id: str,
        org: str,
        dept: str,
        roles: str,
        post: str = "none",
        quota: bool = False,
        name: str = "",
    ) -> str:
        """An officer; a fixed ``name`` draws nothing from the generator (the rest of the demo stays the same)."""
        if name:
            self.names.add(name)
        row = [officer_id, name or self.name(), org, dept, roles, post, "true" if quota else "false"]
        self.data.officers.append(row)
        return officer_id

    def people(self) -> None:
        for code, name, kind, level, parent, _ in COURTS:
            self.data.organisations.append([code, name, kind, level, parent])
            departments = (
                PROCURATORATE_DEPARTMENTS
                if kind == "procuratorate"
                else COURT_DEPARTMENTS
                if level == "basic"
                else UPPER_DEPARTMENTS
            )
            for dept, dept_name in departments:
                self.data.departments.append([code, dept, dept_name])
        o = self.officer
        # The named demo logins, in 黄浦区法院 民一庭 and the high court.
        o("president1", "SH0101", "", "judge;president", "president", True)
        o("chief1", "SH0101", "MS1", "judge;division_chief", "division_chief", True)
        o("judge1", "SH0101", "MS1", "judge", quota=True)
        o("assistant1", "SH0101", "MS1", "assistant")
        o("clerk1", "SH0101", "MS1", "clerk")
        o("evaluator1", "SH0101", "SG", "evaluator;case_management")
        o("filing1", "SH0101", "LA", "filing_officer")
        o("committee1", "SHG", "", "committee_member;judge", quota=True)
        o("inspector1", "SHG", "", "inspector")
        o("admin", "SHG", "", "administrator")
        o("casemgmt1", "SH0101", "SG", "case_management", name="管审明")
        # Who leads cases, weighted: a judge ×10, a division chief ×6 (院庭长办案), a president ×1.
        self.handlers[("SH0101", "MS1")] = ["judge1"] * 10 + ["chief1"] * 6 + ["president1"]
        counter = 0

        def next_id(prefix: str) -> str:
            nonlocal counter
            counter += 1
            return f"{prefix}{counter:04d}"

        for code, _, kind, level, _, _ in COURTS:
            if kind == "procuratorate":
                o(next_id("P"), code, "", "prosecutor;president", "president", True)
                for dept in ("JC1", "JC2"):
                    o(next_id("P"), code, dept, "prosecutor;division_chief", "division_chief", True)
                    ids = [o(next_id("P"), code, dept, "prosecutor", quota=True) for _ in range(4)]
                    self.handlers[(code, dept)] = ids * 10
                    o(next_id("A"), code, dept, "assistant")
                o(next_id("C"), code, "AG", "case_management")
                continue
            if code != "SH0101":
                o(next_id("J"), code, "", "judge;president", "president", True)
            o(next_id("J"), code, "", "judge;vice_president", "vice_president", True)
            departments = COURT_DEPARTMENTS if level == "basic" else UPPER_DEPARTMENTS
            for dept, _ in departments:
                if dept in ("LA", "SG"):
                    o(next_id("C"), code, dept, "case_management")
                    continue
                if not (code == "SH0101" and dept == "MS1"):
                    chief = o(next_id("J"), code, dept, "judge;division_chief", "division_chief", True)
                    self.handlers[(code, dept)] = [chief] * 6
                team = [o(next_id("J"), code, dept, "judge", quota=True) for _ in range(3 if level == "basic" else 2)]
                self.handlers[(code, dept)] = self.handlers[(code, dept)] + team * 10
                o(next_id("A"), code, dept, "assistant")
                o(next_id("K"), code, dept, "clerk")

    # --- cases -------------------------------------------------------------------------------

    def number(self, prefix: str, year: int, kind: str) -> str:
        key = f"{prefix}{year}{kind}"
        self.serial[key] = self.serial.get(key, 0) + 1
        if prefix.endswith("检"):
            return f"{prefix}{kind}〔{year}〕{self.serial[key]}号"
        return f"（{year}）{prefix}{kind}{self.serial[key]}号"

    def time(self, day: dt.date, hour: int) -> str:
        return f"{day.isoformat()}T{hour:02d}:{self.rng.randint(0, 59):02d}:00+08:00"

    def add_case(
        self,
        *,
        org: str,
        prefix: str,
        dept: str,
        case_type: str,
        procedure: str,
        kind: str,
        cause: str,
        filed: dt.date,
        limit: int,
        original: str = "",
        claim: str = "",
    ) -> tuple[str, dt.date | None, str, str]:
        rng = self.rng
        number = self.number(prefix, filed.year, kind)
        lead = rng.choice(self.handlers[(org, dept)])
        excluded = rng.choice([0, 0, 0, 0, 15, 30])
        extension = rng.choice([0] * 9 + [90])
        if procedure == "prosecution":
            extension = min(extension, 15)  # 审查起诉: one month, extendable by 15 days (刑事诉讼法第一百七十二条)
        duration = int(rng.triangular(10, limit * 1.3, limit * 0.45)) + excluded
        closed = filed + dt.timedelta(days=duration)
        if closed >= self.today:
            closed_on, method, outcome = None, "", ""
        else:
            closed_on = closed
            if procedure == "enforcement":
                method = rng.choice(["ruling", "other", "other"])
            elif procedure == "prosecution":  # a procuratorate's review for prosecution: 提起公诉 or 不起诉
                method = rng.choice(["prosecuted"] * 7 + ["np_discretionary", "np_statutory", "np_doubt"])
            elif case_type == "criminal":
                method = rng.choice(["judgment"] * 8 + ["ruling", "withdrawal"])
            else:
                method = rng.choice(["judgment"] * 5 + ["mediation"] * 3 + ["withdrawal", "ruling"])
            outcome = ""
            if procedure in ("second_instance", "retrial"):
                outcome = rng.choices(["upheld", "amended", "remanded", "withdrawn", "mediated"], [70, 12, 6, 7, 5])[0]
        awarded = recovered = ""
        if procedure == "enforcement":
            base = rng.randint(20, 800) * 1000
            awarded = f"{base}.00"
            if closed_on:
                recovered = f"{int(base * rng.choice([1, 1, 0.8, 0.5, 0.2, 0]))}.00"
        self.data.cases.append(
            [
                number,
                org,
                dept,
                case_type,
                procedure,
                cause,
                filed.isoformat(),
                str(limit),
                str(extension) if extension else "",
                str(excluded) if excluded else "",
                lead,
                closed_on.isoformat() if closed_on else "",
                method,
                outcome,
                original,
                str(rng.choice([2, 2, 2, 3, 4, 12])),
                claim,
                awarded,
                recovered,
                *_case_text(number, cause, closed_on),
            ]
        )
        self.actions(
            number, org, dept, lead, filed, closed_on, extension, case_type == "criminal" and org.startswith("SHJ")
        )
        return number, closed_on, method, lead

    def actions(
        self,
        number: str,
        org: str,
        dept: str,
        lead: str,
        filed: dt.date,
        closed_on: dt.date | None,
        extension: int,
        prosecution: bool,
    ) -> None:
        rng = self.rng
        end = closed_on or self.today - dt.timedelta(days=1)
        span = max((end - filed).days, 1)

        def at(fraction: float) -> dt.date:
            return filed + dt.timedelta(days=min(int(span * fraction), span))

        rows = [(filed, 9, "", "filed", ""), (at(0.02), 10, "", "assigned", "")]
        steps = [
            (0.15, "hearing_scheduled", ""),
            (0.35, "evidence_exchanged", "组织双方交换证据"),
            (0.55, "hearing_held", "公开开庭审理"),
            (0.7, "deliberated", "合议庭评议"),
            (0.8, "ruling_drafted", ""),
        ]
        if prosecution:
            steps = [
                (0.3, "note", "审查证据材料"),
                (0.5, "returned_for_supplementary_investigation", "证据不足，退回补充侦查"),
            ]
            steps = steps if rng.random() < 0.3 else steps[:1]
        if extension:
            steps.append((0.6, "extension_requested", "案情复杂，申请延长审限"))
            steps.append((0.62, "extension_approved", ""))
        for fraction, action_type, note in sorted(steps):
            if closed_on is None and fraction > rng.random() + 0.3:
                continue
            actor = "" if action_type == "extension_approved" else lead
            rows.append((at(fraction), 14, actor, action_type, note))
        if closed_on is not None:
            if not prosecution:
                rows.append((at(0.9), 15, lead, "ruling_signed", ""))
                rows.append((at(0.95), 10, lead, "served", "直接送达当事人"))
            rows.append((closed_on, 16, lead, "closed", ""))
        for day, hour, actor, action_type, note in rows:
            self.data.actions.append([number, self.time(day, hour), actor or lead, action_type, note])

    def cases(self) -> None:
        rng = self.rng
        start = self.today - dt.timedelta(days=730)
        prefixes = {code: prefix for code, _, _, _, _, prefix in COURTS}
        appeal_court = {"SH0101": "SH01", "SH0104": "SH01", "SH0106": "SH02"}
        for org in BASIC:
            for _ in range(self.per_court):
                filed = start + dt.timedelta(days=rng.randint(0, 725))
                roll = rng.random()
                if roll < 0.62:
                    dept, case_type, kind, cause = rng.choice(["MS1", "MS2"]), "civil", "民初", rng.choice(CIVIL_CAUSES)
                    limit = rng.choice([180, 90])
                    claim = f"{rng.randint(5, 3000) * 1000}.00"
                elif roll < 0.87:
                    dept, case_type, kind, cause, limit, claim = (
                        "XS",
                        "criminal",
                        "刑初",
                        rng.choice(CRIMINAL_CAUSES),
                        90,
                        "",
                    )
                else:
                    dept, case_type, kind, cause, limit, claim = (
                        "XZ",
                        "administrative",
                        "行初",
                        rng.choice(ADMIN_CAUSES),
                        180,
                        "",
                    )
                number, closed_on, method, _ = self.add_case(
                    org=org,
                    prefix=prefixes[org],
                    dept=dept,
                    case_type=case_type,
                    procedure="first_instance",
                    kind=kind,
                    cause=cause,
                    filed=filed,
                    limit=limit,
                    claim=claim,
                )
                if closed_on is None or method not in ("judgment", "ruling"):
                    continue
                follow = rng.random()
                later = closed_on + dt.timedelta(days=rng.randint(15, 60))
                if later >= self.today:
                    continue
                upper = appeal_court[org]
                if follow < 0.16:
                    upper_dept = {"civil": "MS", "criminal": "XS", "administrative": "XZ"}[case_type]
                    kinds = {"civil": "民终", "criminal": "刑终", "administrative": "行终"}
                    self.add_case(
                        org=upper,
                        prefix=prefixes[upper],
                        dept=upper_dept,
                        case_type=case_type,
                        procedure="second_instance",
                        kind=kinds[case_type],
                        cause=cause,
                        filed=later,
                        limit=90 if case_type == "civil" else 60,
                        original=number,
                    )
                elif follow < 0.18:
                    upper_dept = {"civil": "MS", "criminal": "XS", "administrative": "XZ"}[case_type]
                    kinds = {"civil": "民再", "criminal": "刑再", "administrative": "行再"}
                    self.add_case(
                        org=upper,
                        prefix=prefixes[upper],
                        dept=upper_dept,
                        case_type=case_type,
                        procedure="retrial",
                        kind=kinds[case_type],
                        cause=cause,
                        filed=later,
                        limit=180,
                        original=number,
                    )
                elif follow < 0.38 and case_type == "civil":
                    self.add_case(
                        org=org,
                        prefix=prefixes[org],
                        dept="ZX",
                        case_type="enforcement",
                        procedure="enforcement",
                        kind="执",
                        cause=cause,
                        filed=later,
                        limit=180,
                        original=number,
                    )
        for _ in range(self.per_court // 3):
            filed = start + dt.timedelta(days=rng.randint(0, 725))
            self.add_case(
                org="SHJ0101",
                prefix="沪黄检",
                dept=rng.choice(["JC1", "JC2"]),
                case_type="criminal",
                procedure="prosecution",
                kind="刑诉受",
                cause=rng.choice(CRIMINAL_CAUSES),
                filed=filed,
                limit=30,
            )


def _case_text(number: str, cause: str, closed_on: dt.date | None) -> tuple[str, str, str]:
    """(facts summary, disputed points, ruling summary) of a decided case, chosen by its number alone, so the
    demo's other random choices do not move."""
    if closed_on is None or cause not in DISPUTES:
        return "", "", ""
    disputed, ruling = random.Random(number).choice(DISPUTES[cause])  # noqa: S311 - demo data
    return "", disputed, ruling


def build(*, seed: int = 2026, today: dt.date | None = None, cases_per_basic_court: int = 600) -> DemoData:
    generator = _Generator(seed=seed, today=today or dt.date.today(), cases_per_basic_court=cases_per_basic_court)
    generator.people()
    generator.cases()
    return generator.data


def write_files(data: DemoData, directory: Path) -> None:
    for stem in ("organisations", "departments", "officers", "cases", "actions"):
        with (directory / f"{stem}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column.name for column in SPECS[stem]])
            writer.writerows(getattr(data, stem))


@transaction.atomic
def load(
    *, seed: int = 2026, cases_per_basic_court: int = 600, progress: Callable[[str, str, int], None] | None = None
) -> dict[str, int]:
    """Load the demo; returns counts. Fails with ``RuntimeError`` if the import finds a problem."""
    data = build(seed=seed, cases_per_basic_court=cases_per_basic_court)
    with tempfile.TemporaryDirectory(prefix="quanze-demo-") as tmp:
        write_files(data, Path(tmp))
        result = Importer(tmp, run_by="seed_demo", progress=progress, chunk_size=5000).run()
    if not result.ok:
        raise RuntimeError("the demo data did not import: " + "; ".join(str(p) for p in result.problems[:5]))
    _case_codes()
    _set_logins()
    _assign_teams()
    demo_stages.load()  # a case at every stage of its life, made through the services (before the sweep)
    demo_procuratorate.load()  # the procuratorate's hierarchy, logins and a case at every stage of its procedures
    _reference_cases()
    _flags()
    demo_deliberation.load()  # judges' meetings and committees with members, and a meeting in every state
    _discipline()
    reviews = _reviews()

    demo_dashboard.reference_ranges()  # example values the court must confirm, so the dashboard shows its colours
    metric_run_nightly()  # tonight's windows, computed once the load commits
    _monthly_metrics()
    demo_dashboard.comparison_windows()  # the last 12 months a year and a month earlier, for the headline cards
    demo_assessment.load()  # the last quarter signed at 黄浦区法院 and 黄浦区检察院, the running quarter and year open
    return {"cases": Case.objects.count(), "officers": Officer.objects.count(), "reviews": reviews}


def _case_codes() -> None:
    """Each court's 代字 for the case numbers its filing office gives (（2026）沪0101民初1号)."""
    for code, *_, prefix in COURTS:
        organisation = Organisation.objects.get(code=code)
        if organisation.kind == "court" and organisation.case_code != prefix:
            organisation.case_code = prefix
            organisation_save(organisation=organisation)


def _reference_cases() -> None:
    """The sample reference cases shipped for similar-case search (provincial ones issued by the high court)."""

    result = import_reference_cases(SAMPLE_REFERENCES)
    if not result.ok:
        raise RuntimeError("the reference cases did not import: " + "; ".join(map(str, result.problems[:5])))


def _set_logins() -> None:
    password = settings.QUANZE_DEMO_PASSWORD
    User = get_user_model()
    for username, _ in DEMO_LOGINS:
        user = User.objects.get(username=username)
        user.set_password(password)
        if username == "admin":
            user.is_staff = user.is_superuser = True
        user.save()


def _assign_teams() -> None:
    """judge1's open cases get their full team through the assignment service (traced like any assignment)."""
    by_id = {
        o.officer_id: o for o in Officer.objects.filter(officer_id__in=["chief1", "judge1", "assistant1", "clerk1"])
    }
    panel_pool = list(
        Officer.objects.filter(organisation__code="SH0101", department__code="MS1", roles="judge", is_quota=True)
    )
    for case in Case.objects.filter(lead_officer__officer_id="judge1", closed_on__isnull=True):
        services.case_assign(
            actor=by_id["chief1"],
            case=case,
            lead_officer=by_id["judge1"],
            panel=[o for o in panel_pool if o.officer_id != "judge1"][:2],
            assistants=[by_id["assistant1"]],
            clerks=[by_id["clerk1"]],
            note="组成合议庭",
        )


def _reviews() -> int:
    """A year's review plan at 黄浦区法院, with a review in every state: casemgmt1 (审判管理办公室) plans and
    assigns, evaluator1 grades, the officers respond, casemgmt1 finalises what evaluator1 graded. Some reviews
    are left planned (no evaluator yet), assigned (in evaluator1's list), graded (the officer may still
    answer; one of them judge1's), answered (awaiting casemgmt1's 定案)."""
    court = Officer.objects.get(officer_id="president1").organisation
    office = Officer.objects.get(officer_id="casemgmt1")
    evaluator = Officer.objects.get(officer_id="evaluator1")
    today = timezone.localdate()
    plan = review_plan_create(
        actor=office,
        name=f"{today.year}年度案件质量常规评查",
        kind="routine",
        organisation=court,
        window=Window(today - dt.timedelta(days=365), today),
        sample_percent=4,
        include_amended_remanded=True,
    )
    items = {i.code: i for i in DefectItem.objects.all()}
    findings = [
        ("pass", [], ""),
        ("flawed", ["WS-04", "SD-01"], "裁判文书存在文字错误，缺少送达回证。"),
        ("excellent", [], "事实清楚，说理充分。"),
        ("flawed", ["SX-02"], "延长审限审批手续不全。"),
        ("fail", ["SF-02", "WS-01"], "适用法律错误，判决主文表述有歧义。"),
    ]
    for index, review in enumerate(plan.reviews.select_related("case").order_by("pk")):
        if index % 6 == 5:
            continue  # planned: no evaluator yet
        try:
            review = review_assign(actor=office, review=review, evaluator=evaluator)
        except DomainError:
            continue  # evaluator1 took part in this case: it waits for another evaluator
        if index % 4 == 3:
            continue  # left for evaluator1's list
        grade, codes, summary = findings[index % len(findings)]
        review = review_grade(
            actor=evaluator, review=review, grade=grade, defects=[(items[c], "") for c in codes], summary=summary
        )
        if index % 3 == 2:
            continue  # graded, the officer's response period is open
        review = review_respond(actor=review.officer, review=review, statement="已知悉评查意见，相关问题已整改。")
        if index % 5 == 4:
            continue  # answered: waits for casemgmt1's 定案
        review_finalise(actor=office, review=review)
    # judge1 has a graded review to answer: a manual pick of one of his closed cases
    busy = plan.reviews.values_list("case_id", flat=True)
    case = (
        Case.objects.filter(lead_officer__officer_id="judge1", closed_on__isnull=False, case_type="civil")
        .exclude(pk__in=busy)
        .order_by("-closed_on", "pk")
        .first()
    )
    if case is not None:
        review = review_add_case(actor=office, case=case, reason="当事人来信反映送达问题")
        review = review_assign(actor=office, review=review, evaluator=evaluator)
        review_grade(
            actor=evaluator,
            review=review,
            grade="flawed",
            defects=[(items["SD-01"], "缺少被告的送达回证")],
            summary="缺少送达回证。",
        )
    return Review.objects.filter(case__organisation=court).count()


def _monthly_metrics() -> None:
    """The last twelve whole months, so the dashboards have trends to show (the nightly job adds one a month)."""

    today = timezone.localdate()
    for start, end in calendar_months(today.replace(day=1) - dt.timedelta(days=1), 12):
        metrics_store(window=Window(start, end))


def _discipline() -> None:
    """The high court's discipline committee, and one proceeding against judge1 at the notice stage: inspector1
    handles it, committee1 sits on it, judge1 sees it under 惩戒 with their rights."""

    password = settings.QUANZE_DEMO_PASSWORD
    members = [Officer.objects.get(officer_id="committee1")]
    for officer_id, name, roles in (
        ("committee2", "钱委员", ["judge", "committee_member"]),
        ("committee3", "孙委员", ["committee_member"]),
    ):
        officer = Officer(officer_id=officer_id, name=name, organisation=members[0].organisation, is_quota=True)
        members.append(officer_save(officer=officer, roles=roles, username=officer_id, password=password))
    committee = Committee.objects.create(organisation=members[0].organisation, name="上海市法官惩戒委员会")
    for member in members:
        CommitteeMember.objects.create(committee=committee, officer=member)
    inspector, judge = Officer.objects.get(officer_id="inspector1"), Officer.objects.get(officer_id="judge1")
    lead = discipline.lead_register(
        actor=inspector, officer=judge, source="complaint", summary="当事人投诉承办法官在庭审中未依法告知诉讼权利"
    )
    proceeding = discipline.lead_open(
        actor=inspector, lead=lead, allegation="涉嫌违反法定程序，未依法告知当事人诉讼权利"
    )
    discipline.proceeding_refer(
        actor=inspector,
        proceeding=proceeding,
        committee=committee,
        members=members,
        findings="经调阅庭审录像，承办法官未告知当事人申请回避的权利",
    )
    discipline.notice_serve(
        actor=members[0],
        proceeding=proceeding,
        hearing_on=timezone.localdate() + dt.timedelta(days=14),
        notice="请于听证前提交书面陈述及证据材料。",
    )


def _flags() -> None:
    """Two of judge1's open cases under four-category supervision: one pre-flagged, one confirmed."""

    judge, chief = Officer.objects.get(officer_id="judge1"), Officer.objects.get(officer_id="chief1")
    open_cases = list(Case.objects.filter(lead_officer=judge, closed_on__isnull=True).order_by("filed_on")[:2])
    if len(open_cases) < 2:
        return
    flag_raise(
        actor=judge,
        case=open_cases[0],
        situation=Situation.objects.get(code="G-01"),
        reason="原告三十余人，系同一楼盘购房者，可能引发系列诉讼",
    )
    confirmed = flag_raise(
        actor=judge,
        case=open_cases[1],
        situation=Situation.objects.get(code="C-01"),
        reason="与上级法院类似案件裁判尺度可能不一致",
    )
    flag_decide(actor=chief, flag=confirmed, confirm=True, reason="确认，需进行类案检索")

    task_require(
        actor=chief,
        case=open_cases[1],
        kind="progress_report",
        flag=confirmed,
        instructions="请于期限前报告合议情况和分歧意见",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    sweep()  # the automatic rules and risk points over the demo's cases, as the nightly sweep does
    _interference(judge, open_cases[0])


def _interference(judge: Officer, case: Case) -> None:
    """One record by judge1 about a case, and last quarter's report of judge1's division."""

    record_interference(
        actor=judge,
        case=case,
        source_kind="leading_cadre",
        person_name="某某",
        person_employer="某区人大常委会",
        person_post="办公室主任",
        relationship="原告代理人的亲属",
        channel="phone",
        occurred_at=timezone.now() - dt.timedelta(days=3),
        content="电话询问案件进展，希望尽快开庭并“关照”原告",
        handling="告知案件依法审理，不便透露审理情况；已如实记录",
    )
    year, quarter = quarter_of(timezone.localdate())
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    if judge.department is not None:
        report_file(
            actor=Officer.objects.get(officer_id="chief1"),
            department=judge.department,
            year=year,
            quarter=quarter,
            note="本季度无过问干预情况",
        )
