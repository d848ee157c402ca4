"""The demo's procuratorate (issue 18): 上海市人民检察院 → 上海市人民检察院第二分院 → 上海市黄浦区人民检察院 beside the
courts, named logins, and cases at every stage of each procedure, made through the services as users make them (so
their traces chain, the power list is asked at each step and the matters land in the procurator-general's inbox).

at 上海市黄浦区人民检察院 (its 案件管理部 receives the cases; prohead1 assigns them to prosecutor1 with proassistant1)

* 审查逮捕: one just received (a detained suspect: seven days), one decided (批准逮捕);
* 审查起诉: one just received; one out for supplementary investigation (the first return); one returned twice and
  back (a third return is refused, naming PRO-RN1); one whose 存疑不起诉 awaits procurator1's written decision; one
  closed by 酌定不起诉 on procurator1's written decision; one prosecuted (认罪认罚, sentencing recommendation adopted);
* 抗诉 (二审), 民事检察监督 and 公益诉讼诉前程序 cases in progress;

and 上海市检察官惩戒委员会 at the provincial procuratorate, procommittee1 sitting on it.
Dates are relative to today; the texts are fixed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from accountability.choices import OrganisationKind, OrganisationLevel, Post
from accountability.models import Officer, Organisation
from accountability.services import officer_save, organisation_save
from cases.filing import case_file_new
from cases.models import Case
from cases.services import case_assign, case_close, case_log_action
from discipline.models import Committee, CommitteeMember
from procuratorate import services
from supervision.models import Situation
from supervision.services import flag_raise

DISTRICT = "SHJ0101"
#: (login, what it shows): printed by ``seed_demo`` after the courts' logins, listed in the README.
LOGINS = [
    (
        "prosecutor1",
        "检察官（黄浦区检察院第一检察部，员额检察官）：审查起诉案件退回补充侦查（以二次为限）、报请检察长决定不起诉",
    ),
    ("proassistant1", "检察官助理（第一检察部）：记录羁押、认罪认罚、量刑建议情况"),
    ("prohead1", "部门负责人（第一检察部）：受理案件后分案"),
    ("procurator1", "检察长（黄浦区检察院）：审批事项中有待书面决定的存疑不起诉"),
    ("proevaluator1", "评查员（黄浦区检察院案件管理部）"),
    ("procommittee1", "检察官惩戒委员会委员（上海市人民检察院）"),
]


def _organisation(code: str, name: str, level: str, parent: Organisation | None, case_code: str) -> Organisation:
    found = Organisation.objects.filter(code=code).first()
    if found is None:
        found = Organisation(
            code=code, name=name, kind=OrganisationKind.PROCURATORATE, level=level, case_code=case_code
        )
    found.parent = parent
    return organisation_save(organisation=found)


def _login(officer: Officer, username: str) -> Officer:
    """Give a generated officer a named login with the demo password."""
    user = officer.user
    user.username = username
    user.set_password(settings.QUANZE_DEMO_PASSWORD)
    user.save()
    return officer


def _first(role: str, *, dept: str | None, exclude: tuple[str, ...] = ()) -> Officer:
    found = Officer.objects.filter(organisation__code=DISTRICT, roles__code=role).exclude(roles__code__in=exclude)
    if dept is not None:
        found = found.filter(department__code=dept)
    return found.select_related("organisation", "department", "user").order_by("pk").first()


def _new(officer_id: str, name: str, organisation: Organisation, roles: list[str], **kwargs) -> Officer:
    officer = Officer(officer_id=officer_id, name=name, organisation=organisation, **kwargs)
    return officer_save(officer=officer, roles=roles, username=officer_id, password=settings.QUANZE_DEMO_PASSWORD)


def load() -> dict[str, list[Case]]:
    province = _organisation("SHJ", "上海市人民检察院", OrganisationLevel.HIGH, None, "沪检")
    city = _organisation("SHJ2", "上海市人民检察院第二分院", OrganisationLevel.INTERMEDIATE, province, "沪检二分")
    district = Organisation.objects.get(code=DISTRICT)
    district.parent = city
    district.case_code = district.case_code or "沪黄检"  # 院简称 in its case numbers (（2026）沪黄检刑诉受1号)
    district = organisation_save(organisation=district)

    prosecutor = _login(_first("prosecutor", dept="JC1", exclude=("division_chief", "president")), "prosecutor1")
    assistant = _login(_first("assistant", dept="JC1"), "proassistant1")
    head = _login(_first("division_chief", dept="JC1"), "prohead1")
    general = _login(_first("president", dept=None), "procurator1")
    intake = _first("case_management", dept="AG")
    agency = district.departments.get(code="AG")
    _new("proevaluator1", "评检明", district, ["evaluator", "case_management"], department=agency)
    member = _new("procommittee1", "检委会", province, ["committee_member", "prosecutor"], is_quota=True)
    # the procurators-general above, who hear a prosecutor's appeal (申诉 goes up a level)
    for officer_id, name, organisation in (("progen_sh", "沈检察长", province), ("progen_sh2", "韩检察长", city)):
        _new(officer_id, name, organisation, ["president", "prosecutor"], post=Post.PRESIDENT, is_quota=True)
    committee = Committee.objects.create(organisation=province, name="上海市检察官惩戒委员会")
    CommitteeMember.objects.create(committee=committee, officer=member)

    today = timezone.localdate()
    made: dict[str, list[Case]] = {}

    def receive(
        stage: str, case_type: str, procedure: str, track: str, cause: str, parties: str, days_ago: int
    ) -> Case:
        case = case_file_new(
            actor=intake,
            organisation=district,
            department=prosecutor.department,
            case_type=case_type,
            procedure=procedure,
            track=track,
            cause=cause,
            parties=parties,
            filed_on=today - dt.timedelta(days=days_ago),
            note="案件管理部受理",
        )
        case_assign(actor=head, case=case, lead_officer=prosecutor, assistants=[assistant], note="按检察官办案组分案")
        if procedure == "prosecution":
            case_log_action(
                actor=prosecutor, case=case, action_type="served", note="三日内告知犯罪嫌疑人有权委托辩护人"
            )
        made.setdefault(stage, []).append(case)
        return Case.objects.get(pk=case.pk)

    # 审查逮捕
    receive("arrest_review", "criminal", "arrest_review", "detained", "盗窃罪", "犯罪嫌疑人 李某", 2)
    approved = receive("arrest_decided", "criminal", "arrest_review", "detained", "诈骗罪", "犯罪嫌疑人 王某", 6)
    case_close(actor=prosecutor, case=approved, closed_on=today, closing_method="arrest_approved", note="批准逮捕")
    # 审查起诉
    receive("prosecution_received", "criminal", "prosecution", "ordinary", "危险驾驶罪", "犯罪嫌疑人 赵某", 3)
    once = receive("returned_once", "criminal", "prosecution", "ordinary", "故意伤害罪", "犯罪嫌疑人 钱某", 18)
    services.supplementary_return(actor=prosecutor, case=once, reason="补充调取案发现场监控录像，补充被害人伤情鉴定")
    twice = receive("returned_twice", "criminal", "prosecution", "ordinary", "诈骗罪", "犯罪嫌疑人 孙某", 25)
    for outline in ("补充调取银行流水", "补充核实被害人陈述与转账记录的对应关系"):
        services.supplementary_return(actor=prosecutor, case=twice, reason=outline)
        services.investigation_resubmit(actor=prosecutor, case=twice, resubmitted_on=today, note="公安机关补充侦查完毕")
    services.prosecution_facts_record(
        actor=assistant, case=twice, detained=True, plea_leniency=False, sentencing_recommended=False
    )
    # a four-category case of the procuratorate's own: the 检察长 and the department head see it in their inbox
    flag_raise(
        actor=prosecutor,
        case=Case.objects.get(pk=twice.pk),
        situation=Situation.objects.get(code="PC-01"),
        reason="同类电信诈骗案件本院此前两案作不起诉处理，本案拟提起公诉，处理尺度可能不一",
    )
    doubt = receive("awaiting_chief", "criminal", "prosecution", "ordinary", "盗窃罪", "犯罪嫌疑人 周某", 20)
    services.supplementary_return(actor=prosecutor, case=doubt, reason="补充提取指纹、核实作案时间")
    services.investigation_resubmit(actor=prosecutor, case=doubt, resubmitted_on=today, note="补充侦查完毕，仍无新证据")
    services.chief_decision_request(
        actor=prosecutor,
        case=doubt,
        matter="np_doubt",
        reason="经一次退回补充侦查，仍证据不足，不符合起诉条件，拟作存疑不起诉",
    )
    minor = receive("not_prosecuted", "criminal", "prosecution", "ordinary", "故意伤害罪", "犯罪嫌疑人 吴某", 15)
    request = services.chief_decision_request(
        actor=prosecutor, case=minor, matter="np_discretionary", reason="犯罪情节轻微，已赔偿取得谅解，拟作酌定不起诉"
    )
    services.chief_decision_decide(
        actor=general, request=request, approve=True, note="同意对吴某作酌定不起诉，依法宣布并送达不起诉决定书。"
    )
    case_close(actor=prosecutor, case=Case.objects.get(pk=minor.pk), closed_on=today, closing_method="np_discretionary")
    charged = receive("prosecuted", "criminal", "prosecution", "fast_track", "危险驾驶罪", "犯罪嫌疑人 郑某", 8)
    services.prosecution_facts_record(
        actor=prosecutor,
        case=charged,
        detained=False,
        plea_leniency=True,
        sentencing_recommended=True,
        sentencing_adopted=True,
    )
    case_close(actor=prosecutor, case=Case.objects.get(pk=charged.pk), closed_on=today, closing_method="prosecuted")
    # 抗诉, 民事检察监督, 公益诉讼
    receive("protest", "criminal", "protest", "appellate", "抢劫罪", "原审被告人 冯某", 3)
    receive("supervision", "civil", "supervision", "", "民间借贷纠纷", "申请人 陈某\n被申请人 褚某", 30)
    receive("pil_pre_suit", "public_interest", "pil_pre_suit", "", "生态环境和资源保护", "某区生态环境局", 20)
    # the generated president is procurator1; the deputy decides by delegation
    if not Officer.objects.filter(organisation=district, roles__code="vice_president").exists():
        _new(
            "prodeputy1",
            "褚副检察长",
            district,
            ["vice_president", "prosecutor"],
            post=Post.VICE_PRESIDENT,
            is_quota=True,
        )
    return made
