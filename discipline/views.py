"""Discipline in the browser: the lead register, the proceedings I handle or that concern me, one page per
proceeding with its stage clock and the acts open to me, and the printable documents. Pages read through the
selectors (a proceeding I may not see is 404) and write through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accountability.audit import audit_read
from accountability.errors import DomainError, NotFound
from accountability.models import Officer
from accountability.selectors import officer_for_user
from cases import attachments
from discipline import services
from discipline.choices import (
    Exemption,
    LeadSource,
    LeadStatus,
    Opinion,
    Outcome,
    PersonnelMeasure,
    SanctionKind,
    Stage,
)
from discipline.models import Challenge, Committee, Lead, Proceeding, ProceedingMember, RecusalRequest
from discipline.selectors import (
    lead_get_for_user,
    leads_visible_to,
    my_proceedings,
    proceeding_get_for_user,
    proceedings_visible_to,
)


def _proceeding_or_404(request: HttpRequest, public_id: Any) -> Proceeding:
    """The proceeding, if the user may see it; every attempt is in the security audit, refused ones too."""
    try:
        proceeding = proceeding_get_for_user(request.user, public_id=public_id)
    except NotFound as exc:
        audit_read(request, "proceeding", public_id, allowed=False)
        raise Http404 from exc
    audit_read(request, "proceeding", public_id, allowed=True)
    return proceeding


def _error(request: HttpRequest, exc: DomainError) -> None:
    details = "; ".join(str(p) for problems in exc.details.values() if isinstance(problems, list) for p in problems)
    messages.error(request, f"{exc.message}{'（' + details + '）' if details and details != exc.message else ''}")


@login_required
def proceeding_list(request: HttpRequest) -> HttpResponse:
    """惩戒工作: the proceedings I handle, those concerning me, and (for inspectors) the lead register."""
    officer = officer_for_user(request.user)
    audit_read(request, "proceeding", "list", allowed=True)
    return render(request, "discipline/list.html", {
        "handled": proceedings_visible_to(request.user).exclude(officer=officer).order_by("due_on", "pk"),
        "mine": my_proceedings(request.user).order_by("-created_at"),
        "leads": leads_visible_to(request.user).filter(status=LeadStatus.REGISTERED)[:200],
        "may_register": leads_visible_to(request.user).model is Lead and officer is not None
        and bool({"inspector", "case_management"} & set(officer.role_codes)),
        "sources": LeadSource.choices, "today": timezone.localdate(),
    })  # fmt: skip


@login_required
def lead_new(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("discipline:list")
    subject = Officer.objects.filter(officer_id=request.POST.get("officer_id", "").strip()).first()
    try:
        if subject is None:
            raise services.invalid("officer_id", _("No officer with this number."))
        services.lead_register(actor=officer, officer=subject, source=request.POST.get("source", ""),
                               summary=request.POST.get("summary", ""))  # fmt: skip
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The lead is registered."))
    return redirect("discipline:list")


@login_required
def lead_review(request: HttpRequest, public_id: Any) -> HttpResponse:
    try:
        lead = lead_get_for_user(request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    officer = officer_for_user(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("act") == "open":
                proceeding = services.lead_open(actor=officer, lead=lead, allegation=request.POST.get("allegation", ""))
                return redirect("discipline:detail", public_id=proceeding.public_id)
            if request.POST.get("act") == "merge":
                into = leads_visible_to(request.user).filter(public_id=request.POST.get("into") or None).first()
                if into is None:
                    raise services.invalid("into", _("Choose the lead it repeats."))
                services.lead_merge(actor=officer, lead=lead, into=into)
            else:
                services.lead_dismiss(actor=officer, lead=lead, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("discipline:list")
    others = leads_visible_to(request.user).filter(officer=lead.officer).exclude(pk=lead.pk).exclude(
        status__in=[LeadStatus.DISMISSED, LeadStatus.MERGED])  # fmt: skip
    return render(request, "discipline/lead.html", {"lead": lead, "others": others})


def _acts(officer: Officer, proceeding: Proceeding) -> dict[str, bool]:
    """Which forms to show: the service decides for real, this only avoids offering what would be refused."""
    stage = proceeding.stage
    is_officer = officer.pk == proceeding.officer_id
    member = proceeding.members.filter(officer=officer, recused=False).exists()
    roles = set(officer.role_codes)
    inspector = "inspector" in roles and not is_officer
    decider = "president" in roles and officer.organisation_id == proceeding.organisation_id and not is_officer
    appeal_decider = "president" in roles and officer.organisation_id == proceeding.organisation.parent_id
    closes = services.objection_closes_on(proceeding)
    return {
        "suspend": inspector and stage != Stage.CLOSED,
        "refer": inspector and stage == Stage.INVESTIGATION,
        "notice": member and stage == Stage.REFERRED,
        "recusal_decide": member and proceeding.recusals.filter(decision="").exists(),
        "hear": member and stage == Stage.NOTIFIED,
        "vote": member and stage == Stage.HEARD,
        "opinion": member and stage == Stage.HEARD,
        "serve": member and stage == Stage.OPINION,
        "objection_decide": member and stage == Stage.OBJECTED,
        "decide": decider and stage == Stage.OPINION_FINAL,
        "review_decide": decider and stage == Stage.REVIEW,
        "appeal_decide": appeal_decider and stage == Stage.APPEAL,
        "acknowledge": is_officer and proceeding.opinion_served_at is not None and proceeding.acknowledged_at is None,
        "recusal_request": is_officer and stage in (Stage.REFERRED, Stage.NOTIFIED, Stage.HEARD),
        "object": is_officer and stage == Stage.SERVED and closes is not None and timezone.localdate() <= closes,
        "review_request": is_officer and stage == Stage.DECIDED,
        "appeal": is_officer and stage in (Stage.DECIDED, Stage.REVIEWED),
        "submit": is_officer and stage != Stage.CLOSED,
    }


@login_required
def proceeding_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    proceeding = _proceeding_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method == "POST":
        try:
            perform(officer, proceeding, request.POST, request.FILES.getlist("files"))
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Recorded."))
        return redirect("discipline:detail", public_id=proceeding.public_id)
    today = timezone.localdate()
    return render(request, "discipline/detail.html", {
        "p": proceeding, "acts": _acts(officer, proceeding), "today": today,
        "overdue": proceeding.due_on is not None and proceeding.due_on < today,
        "events": proceeding.events.select_related("actor").order_by("-seq"),
        "members": proceeding.members.select_related("officer"),
        "votes": proceeding.votes.select_related("member__officer"),
        "recusals": proceeding.recusals.select_related("member__officer"),
        "exemptions": proceeding.exemptions.all(), "objections": proceeding.objections.all(),
        "sanctions": proceeding.sanctions.all(), "challenges": proceeding.challenges.all(),
        "submissions": proceeding.submissions.select_related("author"),
        "suspended": proceeding.suspensions.filter(lifted_at__isnull=True).exists(),
        "committees": Committee.objects.all(), "opinions": Opinion.choices, "exemption_choices": Exemption.choices,
        "sanction_kinds": SanctionKind.choices, "measures": PersonnelMeasure.choices, "outcomes": Outcome.choices,
        "objection_closes": services.objection_closes_on(proceeding), "chain_intact": not services.verify_events(proceeding),
        "stages": Stage.choices,
    })  # fmt: skip


def _order(post: Any) -> services.SanctionOrder:
    return services.SanctionOrder(post.get("kind", ""), tuple(post.getlist("measures")))


def perform(officer: Officer, p: Proceeding, post: Any, files: list[Any]) -> None:
    """One act on a proceeding, named by ``act`` in a form or a JSON body (the page and the API share it)."""
    act = post.get("act", "")
    s = services
    if act == "suspend":
        s.officer_suspend(actor=officer, proceeding=p, reason=post.get("reason", ""))
    elif act == "reinstate":
        s.officer_reinstate(actor=officer, proceeding=p, reason=post.get("reason", ""))
    elif act == "refer":
        committee = Committee.objects.filter(pk=post.get("committee") or 0).first()
        if committee is None:
            raise s.invalid("committee", _("Choose the committee."))
        numbers = post.get("members", "")
        numbers = numbers if isinstance(numbers, list) else [v.strip() for v in numbers.replace("，", ",").split(",")]
        members = list(committee.members.filter(officer_id__in=numbers))
        s.proceeding_refer(actor=officer, proceeding=p, committee=committee, members=members,
                           findings=post.get("findings", ""), expected_version=int(post.get("version") or 0) or None)  # fmt: skip
    elif act == "close":
        s.proceeding_close_without_referral(actor=officer, proceeding=p, reason=post.get("reason", ""))
    elif act == "notice":
        hearing_on = parse_date(post.get("hearing_on", "") or "")
        if hearing_on is None:
            raise s.invalid("hearing_on", _("Give the hearing date."))
        s.notice_serve(actor=officer, proceeding=p, hearing_on=hearing_on, notice=post.get("notice", ""))
    elif act == "recusal_request":
        member = ProceedingMember.objects.filter(proceeding=p, pk=post.get("member") or 0).first()
        if member is None:
            raise s.invalid("member", _("Choose a member."))
        s.recusal_request(actor=officer, proceeding=p, member=member, reason=post.get("reason", ""))
    elif act == "recusal_decide":
        request_ = RecusalRequest.objects.filter(proceeding=p, pk=post.get("request") or 0).first()
        if request_ is None:
            raise s.invalid("request", _("No such request."))
        s.recusal_decide(actor=officer, request=request_, grant=post.get("grant") == "1", reason=post.get("reason", ""))
    elif act == "hear":
        s.hearing_record(actor=officer, proceeding=p, record=post.get("record", ""))
    elif act == "vote":
        s.vote_cast(actor=officer, proceeding=p, opinion=post.get("opinion", ""), reason=post.get("reason", ""))
    elif act == "opinion":
        findings = [s.Finding(code, post.get(f"applies-{code}") == "1", post.get(f"reasoning-{code}", ""))
                    for code in Exemption.values if post.get(f"reasoning-{code}", "").strip()]  # fmt: skip
        s.opinion_give(actor=officer, proceeding=p, reasons=post.get("reasons", ""), findings=findings)
    elif act == "serve":
        s.opinion_serve(actor=officer, proceeding=p)
    elif act == "acknowledge":
        s.opinion_acknowledge(actor=officer, proceeding=p)
    elif act == "object":
        s.objection_file(actor=officer, proceeding=p, text=post.get("text", ""))
    elif act == "objection_decide":
        s.objection_decide(actor=officer, proceeding=p, grant=post.get("grant") == "1", reason=post.get("reason", ""),
                           opinion=post.get("opinion") or None)  # fmt: skip
    elif act == "decide":
        s.decision_make(actor=officer, proceeding=p, order=_order(post), text=post.get("text", ""))
    elif act == "review_request":
        s.review_request(actor=officer, proceeding=p, reason=post.get("reason", ""))
    elif act == "review_decide":
        s.review_decide(actor=officer, proceeding=p, outcome=post.get("outcome", ""), reason=post.get("reason", ""),
                        order=_order(post) if post.get("kind") else None)  # fmt: skip
    elif act == "appeal":
        s.appeal_lodge(actor=officer, proceeding=p, reason=post.get("reason", ""))
    elif act == "appeal_extend":
        s.appeal_extend(actor=officer, proceeding=p, reason=post.get("reason", ""))
    elif act == "appeal_decide":
        s.appeal_decide(actor=officer, proceeding=p, outcome=post.get("outcome", ""), reason=post.get("reason", ""),
                        order=_order(post) if post.get("kind") else None)  # fmt: skip
    elif act == "submit":
        s.submission_add(actor=officer, proceeding=p, text=post.get("text", ""), files=files)
    else:
        raise s.invalid("act", _("Unknown act."))


DOCUMENTS = {"notice": Stage.NOTIFIED, "opinion": Stage.SERVED, "decision": Stage.DECIDED}


@login_required
def document(request: HttpRequest, public_id: Any, kind: str) -> HttpResponse:
    """A printable Chinese document (通知书, 审查意见书, 惩戒决定书): HTML with a print stylesheet."""
    proceeding = _proceeding_or_404(request, public_id)
    order = [value for value, _label in Stage.choices]
    if kind not in DOCUMENTS or order.index(proceeding.stage) < order.index(DOCUMENTS[kind]):
        raise Http404
    challenge = proceeding.challenges.filter(kind=Challenge.Kind.APPEAL).first()
    return render(request, f"discipline/doc_{kind}.html", {
        "p": proceeding, "today": timezone.localdate(), "exemptions": proceeding.exemptions.all(),
        "sanction": services.current_sanction(proceeding), "members": proceeding.members.filter(recused=False)
        .select_related("officer"), "appeal": challenge, "days": services._days,
        "review_days": services.settings.QUANZE_DISCIPLINE_DAYS["review_request"],
        "appeal_days": services.settings.QUANZE_DISCIPLINE_DAYS["direct_appeal"],
        "objection_days": services.settings.QUANZE_DISCIPLINE_DAYS["served"],
        "hearing_days": (proceeding.hearing_on - dt.date.today()).days if proceeding.hearing_on else None,
    })  # fmt: skip


@login_required
def evidence_download(request: HttpRequest, public_id: Any, sha256: str) -> FileResponse:
    """An evidence file of the officer's submission: to those who may see the proceeding, always as a download."""
    proceeding = _proceeding_or_404(request, public_id)
    for submission in proceeding.submissions.all():
        for stored in submission.files:
            if stored["sha256"] == sha256:
                path = attachments.path_of(stored["stored_name"])
                if not path.is_file():
                    raise Http404
                response = FileResponse(path.open("rb"), as_attachment=True, filename=stored["name"])
                response["Content-Type"] = stored["type"]
                return response
    raise Http404
