"""The demo's cases at every stage of a case's life, made through the services as users make them (issue 17).

The bulk of the demo is imported history; these few cases are filed, drawn, heard, closed, appealed and remanded
through ``cases.filing``, ``cases.assignment``, ``cases.services``, ``cases.closing`` and ``cases.extensions``, so
their traces chain, the power list is asked at each step and the requests land in the leaders' inboxes:

at 上海市黄浦区人民法院 (filing1 files; judge1, assistant1 and clerk1 of 民一庭 hear; chief1 and president1 decide)

* a case just filed, not yet assigned (filing1 can draw it);
* a case assigned by a random draw (民二庭), its record reproducible (可复现：是);
* judge1's cases in progress: one designated to judge1 (approved by chief1) with its panel, assistant and clerk and
  its first nodes recorded; one whose service (送达起诉状副本) falls due within days; one whose service is overdue
  (the to-do list shows it in red, and the nightly sweep raises RP-06 流程节点超期);
* a case heard, closed and archived (clerk1 archives it);
* a refused filing (不予受理);
* requests awaiting a decision: a designated assignment (chief1, president1), a change of the lead judge (chief1,
  president1), a recusal (president1) and an extension of the time limit (president1); and one extension decided;

at 上海市第一中级人民法院 (its filing office files the appeals, a drawn judge hears them)

* three appeals from 黄浦区 cases decided here: upheld (维持) and amended (改判), each written back to the original,
  and remanded (发回重审), which files the new first-instance case back at 黄浦区 (unassigned, for filing1 to draw).

Dates are relative to today; the texts are fixed. The draws take fresh seeds, as every draw does, so which judge of
a department a draw gives varies from one load to the next; nothing else depends on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accountability.choices import ActionType, Participation
from accountability.models import Officer, Organisation
from cases import assignment, extensions, filing, services
from cases.choices import DesignationReason, Outcome
from cases.closing import case_archive
from cases.models import Case, CaseRequest, FilingRefusal

BASIC_COURT = "SH0101"
UPPER_COURT = "SH01"


@dataclass
class Stages:
    """What was made, by stage (the test and the loader's summary read it)."""

    cases: dict[str, list[Case]] = field(default_factory=dict)
    refusals: list[FilingRefusal] = field(default_factory=list)
    requests: dict[str, list[CaseRequest]] = field(default_factory=dict)

    def add(self, stage: str, case: Case) -> Case:
        self.cases.setdefault(stage, []).append(case)
        return case

    def ask(self, stage: str, request: CaseRequest) -> CaseRequest:
        self.requests.setdefault(stage, []).append(request)
        return request


def _officer(officer_id: str) -> Officer:
    return Officer.objects.select_related("organisation", "department", "user").get(officer_id=officer_id)


def _first(court: str, dept: str, role: str, *, quota: bool | None = None) -> Officer:
    found = Officer.objects.filter(organisation__code=court, department__code=dept, roles__code=role)
    if quota is not None:
        found = found.filter(is_quota=quota)
    return found.select_related("organisation", "department", "user").order_by("pk").first()


def _panel_judges(court: str, dept: str, *, besides: Officer, count: int) -> list[Officer]:
    """Quota judges of the department other than ``besides`` (not the chief), in a stable order."""
    return list(
        Officer.objects.filter(organisation__code=court, department__code=dept, roles__code="judge", is_quota=True)
        .exclude(roles__code__in=["division_chief", "president", "vice_president"])
        .exclude(pk=besides.pk)
        .select_related("organisation", "department", "user")
        .order_by("pk")[:count]
    )


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("organisation", "department", "lead_officer").get(pk=case.pk)


def _file(
    actor: Officer,
    *,
    dept: str,
    cause: str,
    parties: str,
    filed_on: dt.date,
    procedure: str = "first_instance",
    track: str = "ordinary",
    claim: str | None = None,
    original: Case | None = None,
) -> Case:
    organisation = actor.organisation
    return filing.case_file_new(
        actor=actor,
        organisation=organisation,
        department=organisation.departments.get(code=dept),
        case_type="civil",
        procedure=procedure,
        track=track,
        cause=cause,
        parties=parties,
        claim_amount=None if claim is None else Decimal(claim),
        original_case=original,
        filed_on=filed_on,
    )


def _draw(actor: Officer, case: Case, note: str = "") -> Case:
    assignment.case_assign_random(actor=actor, case=case, expected_version=None, note=note)
    return _fresh(case)


def _log(actor: Officer, case: Case, action_type: str, note: str) -> None:
    services.case_log_action(actor=actor, case=case, action_type=action_type, note=note)


def _hear_and_decide(case: Case, *, judge: Officer, clerk: Officer | None = None, outcome: str = "") -> Case:
    """The nodes a case needs before it closes (送达, 开庭, 合议, 签署, 送达), then closing by its lead judge."""
    second = case.procedure != "first_instance"
    _log(
        clerk or judge,
        case,
        ActionType.SERVED,
        "送达上诉状副本" if second else "送达起诉状副本、应诉通知书及举证通知书",
    )
    _log(clerk or judge, case, ActionType.HEARING_HELD, "公开开庭审理，当事人到庭参加诉讼")
    _log(judge, case, ActionType.DELIBERATED, "合议庭评议，意见一致")
    _log(judge, case, ActionType.RULING_SIGNED, "签署裁判文书")
    _log(clerk or judge, case, ActionType.SERVED, "向各方当事人送达裁判文书")
    method = "ruling" if outcome == Outcome.REMANDED else "judgment"
    services.case_close(
        actor=judge,
        case=case,
        closed_on=timezone.localdate(),
        closing_method=method,
        outcome=outcome,
        note={"": "判决已送达", Outcome.UPHELD: "驳回上诉，维持原判", Outcome.AMENDED: "撤销原判，依法改判"}.get(
            outcome, "裁定撤销原判，发回重审"
        ),
    )
    return _fresh(case)


def load() -> Stages:
    today = timezone.localdate()
    made = Stages()
    filing1, judge1 = _officer("filing1"), _officer("judge1")
    assistant1, clerk1 = _officer("assistant1"), _officer("clerk1")
    chief1, president1 = _officer("chief1"), _officer("president1")
    panel = _panel_judges(BASIC_COURT, "MS1", besides=judge1, count=2)

    # 立案, not yet assigned: waits for filing1's draw.
    made.add(
        "filed",
        _file(
            filing1,
            dept="MS1",
            cause="买卖合同纠纷",
            parties="原告：上海某某贸易有限公司\n被告：上海某某建材有限公司",
            filed_on=today,
            claim="186000.00",
        ),
    )

    # 随机分案: drawn among the quota judges of 民二庭, reproducible from its record.
    made.add(
        "drawn",
        _draw(
            filing1,
            _file(
                filing1,
                dept="MS2",
                cause="房屋租赁合同纠纷",
                parties="原告：周某某\n被告：上海某某物业管理有限公司",
                filed_on=today - dt.timedelta(days=1),
                claim="42000.00",
            ),
        ),
    )

    # 指定分案 awaiting approval (chief1 or president1 decides).
    related = _file(
        filing1,
        dept="MS1",
        cause="民间借贷纠纷",
        parties="原告：陈某某\n被告：吴某某\n被告：吴某",
        filed_on=today - dt.timedelta(days=1),
        claim="350000.00",
    )
    made.add("awaiting_designation", related)
    made.ask(
        "designation",
        assignment.assignment_designate_request(
            actor=filing1,
            case=related,
            officer=judge1,
            reason_code=DesignationReason.RELATED_CASE,
            reason="与该法官正在审理的同一借款人系列案件系关联案件，宜由同一承办法官审理",
        ),
    )

    # In progress: designated to judge1 and approved, panel and team, first nodes recorded.
    progress = _file(
        filing1,
        dept="MS1",
        cause="金融借款合同纠纷",
        parties="原告：某某银行股份有限公司上海分行\n被告：黄某某",
        filed_on=today - dt.timedelta(days=2),
        claim="1260000.00",
    )
    request = assignment.assignment_designate_request(
        actor=filing1,
        case=progress,
        officer=judge1,
        reason_code=DesignationReason.SPECIALISED,
        reason="金融借款系列案件，由金融审判专业合议庭审理",
    )
    assignment.assignment_designate_decide(actor=chief1, request=request, approve=True, note="同意指定分案")
    assignment.panel_form(
        actor=chief1, case=progress, members=[judge1, *panel], presiding=judge1, expected_version=None
    )
    assignment.participant_attach(actor=judge1, case=progress, officer=assistant1, role=Participation.ASSISTANT)
    assignment.participant_attach(actor=judge1, case=progress, officer=clerk1, role=Participation.CLERK)
    _log(clerk1, progress, ActionType.SERVED, "送达起诉状副本、应诉通知书及举证通知书")
    _log(assistant1, progress, ActionType.EVIDENCE_PERIOD_SET, "指定举证期限为十五日")
    made.add("in_progress", _fresh(progress))
    # judge1 asks to hand it to another judge of the division (chief1 or president1 decides).
    made.ask(
        "lead_change",
        assignment.lead_change_request(
            actor=judge1,
            case=progress,
            new_lead=panel[0],
            reason="本人近期承办案件较多，另有重大案件开庭，申请变更承办人以免延误审理",
        ),
    )

    # In progress: service falls due within days; a party asks for a panel member's recusal (president1 decides).
    due_soon = _file(
        filing1,
        dept="MS1",
        cause="物业服务合同纠纷",
        parties="原告：上海某某物业服务有限公司\n被告：赵某某",
        filed_on=today - dt.timedelta(days=1),
        claim="18600.00",
    )
    services.case_assign(
        actor=chief1, case=due_soon, lead_officer=judge1, panel=panel, assistants=[assistant1], clerks=[clerk1]
    )
    made.add("in_progress", _fresh(due_soon))
    made.ask(
        "recusal",
        assignment.recusal_request(
            actor=judge1,
            case=due_soon,
            subject=panel[-1],
            reason="被告申请合议庭成员回避，理由是该审判员曾担任原告法律顾问",
        ),
    )

    # In progress, overdue: service of the complaint (5 days from filing) not done: to-do in red, RP-06.
    overdue = _file(
        filing1,
        dept="MS1",
        cause="劳动争议",
        parties="原告：孙某某\n被告：上海某某科技有限公司",
        filed_on=today - dt.timedelta(days=9),
        claim="76000.00",
    )
    services.case_assign(
        actor=chief1, case=overdue, lead_officer=judge1, panel=panel, assistants=[assistant1], clerks=[clerk1]
    )
    made.add("overdue", _fresh(overdue))

    # Heard, closed and archived by clerk1.
    done = _file(
        filing1,
        dept="MS1",
        cause="机动车交通事故责任纠纷",
        parties="原告：郑某某\n被告：王某某\n被告：某某财产保险股份有限公司上海分公司",
        filed_on=today - dt.timedelta(days=3),
        track="summary",
        claim="58000.00",
    )
    services.case_assign(actor=chief1, case=done, lead_officer=judge1, assistants=[assistant1], clerks=[clerk1])
    done = _hear_and_decide(_fresh(done), judge=judge1, clerk=clerk1)
    made.add("archived", case_archive(actor=clerk1, case=done, expected_version=None, note="卷宗整理完毕，归档"))

    # 不予受理.
    made.refusals.append(
        filing.filing_refuse(
            actor=filing1,
            organisation=filing1.organisation,
            case_type="civil",
            procedure="first_instance",
            cause="名誉权纠纷",
            parties="起诉人：刘某某\n被起诉人：某某网络科技有限公司",
            reason="起诉人与本案没有直接利害关系，不符合《中华人民共和国民事诉讼法》第一百二十二条规定的起诉条件",
        )
    )

    # Extensions of judge1's oldest open cases near their limit (president1 decides; the law names the president).
    _extensions(made, judge1=judge1, president1=president1)

    # Appeals at 上海市第一中级人民法院: upheld and amended written back, a remand filed back at 黄浦区.
    _appeals(made, filing1=filing1, today=today)
    return made


def _extensions(made: Stages, *, judge1: Officer, president1: Officer) -> None:
    """One extension approved and one awaiting president1, on judge1's open civil first-instance cases filed
    longest ago (imported history; the stage cases above when the demo is too small to have two)."""
    stage_cases = [c.pk for stage in ("in_progress", "overdue") for c in made.cases.get(stage, [])]
    older = list(
        Case.objects.filter(
            lead_officer=judge1,
            closed_on__isnull=True,
            case_type="civil",
            procedure="first_instance",
            time_limit_days__gte=180,
        )
        .exclude(pk__in=stage_cases)
        .order_by("filed_on", "pk")[:2]
    )
    targets = [*older, *Case.objects.filter(pk__in=stage_cases).order_by("pk")][:2]
    approved = extensions.extension_request(
        actor=judge1,
        case=targets[0],
        days=30,
        reason="案件需委托司法鉴定，鉴定意见尚未出具，申请延长审限",
    )
    extensions.case_decide_extension(actor=president1, request=approved, approve=True, note="同意延长三十日")
    made.ask("extension_decided", approved)
    made.ask(
        "extension",
        extensions.extension_request(
            actor=judge1,
            case=targets[1],
            days=60,
            reason="当事人人数众多，需分批组织证据交换，申请延长审限",
        ),
    )


def _appeals(made: Stages, *, filing1: Officer, today: dt.date) -> None:
    upper = Organisation.objects.get(code=UPPER_COURT)
    upper_filing = _first(UPPER_COURT, "LA", "case_management")
    for outcome, cause, parties in (
        (Outcome.UPHELD, "买卖合同纠纷", "原告：上海某某食品有限公司\n被告：上海某某超市有限公司"),
        (Outcome.AMENDED, "民间借贷纠纷", "原告：林某某\n被告：何某某"),
        (Outcome.REMANDED, "房屋租赁合同纠纷", "原告：高某某\n被告：上海某某置业有限公司"),
    ):
        original = _draw(
            filing1,
            _file(filing1, dept="MS2", cause=cause, parties=parties, filed_on=today - dt.timedelta(days=4)),
        )
        original = _hear_and_decide(original, judge=original.lead_officer)
        made.add("appealed_original", original)
        appeal = filing.case_file_new(
            actor=upper_filing,
            organisation=upper,
            department=upper.departments.get(code="MS"),
            case_type="civil",
            procedure="second_instance",
            cause=cause,
            parties=parties.replace("原告", "上诉人（原审原告）").replace("被告", "被上诉人（原审被告）"),
            original_case=original,
            note="不服一审判决，提起上诉",
        )
        appeal = _draw(upper_filing, appeal)
        appeal = _hear_and_decide(appeal, judge=appeal.lead_officer, outcome=outcome)
        made.add(f"appeal_{outcome}", appeal)
    remanded = Case.objects.filter(original_case__in=made.cases[f"appeal_{Outcome.REMANDED}"]).get()
    made.add("remanded", remanded)
