"""Discipline in the browser: the lead register, the proceedings I handle or that concern me, one page per
proceeding with its stage clock and the acts open to me, and the printable documents. Pages read through the
selectors (a proceeding I may not see is 404) and write through the services, the same ones the API calls
(discipline/api.py; neither module imports the other). A refused write is not caught here: the one handler,
``accountability.middleware.DomainErrorMiddleware``, shows it as a message on the page that posted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accountability.audit import audit_read
from accountability.errors import NotFound, PowerDenied
from accountability.models import Officer
from accountability.selectors import officer_for_user, officer_named
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
from discipline.models import Committee, Lead, Proceeding, ProceedingMember, RecusalRequest
from discipline.selectors import (
    lead_get_for_user,
    leads_visible_to,
    my_proceedings,
    proceeding_get_for_user,
    proceeding_record,
    proceedings_visible_to,
    sees_named_votes,
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


@login_required
def proceeding_list(request: HttpRequest) -> HttpResponse:
    """惩戒工作: the proceedings I handle, those concerning me, and (for inspectors) the lead register."""
    officer = officer_for_user(request.user)
    audit_read(request, "proceeding", "list", allowed=True)
    return render(
        request,
        "discipline/list.html",
        {
            "handled": proceedings_visible_to(request.user).exclude(officer=officer).order_by("due_on", "pk"),
            "mine": my_proceedings(request.user).order_by("-created_at"),
            "leads": leads_visible_to(request.user).filter(status=LeadStatus.REGISTERED)[:200],
            "may_register": leads_visible_to(request.user).model is Lead
            and officer is not None
            and bool({"inspector", "case_management"} & set(officer.role_codes)),
            "sources": LeadSource.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def lead_new(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("discipline:list")
    subject = officer_named(request.user, request.POST.get("officer_id", ""))
    if subject is None:
        raise services.invalid("officer_id", _("No officer with this name or number."))
    services.lead_register(
        actor=officer, officer=subject, source=request.POST.get("source", ""), summary=request.POST.get("summary", "")
    )
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
        messages.success(request, _("Recorded."))
        return redirect("discipline:list")
    others = (
        leads_visible_to(request.user)
        .filter(officer=lead.officer)
        .exclude(pk=lead.pk)
        .exclude(status__in=[LeadStatus.DISMISSED, LeadStatus.MERGED])
    )
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
        act = ACTS.get(request.POST.get("act", ""))
        if act is None:
            raise services.invalid("act", _("Unknown act."))
        if officer is None:
            raise PowerDenied(_("Only officers can act on proceedings."))
        act(request, officer, proceeding, _version(request))
        messages.success(request, _("Recorded."))
        return redirect("discipline:detail", public_id=proceeding.public_id)
    today = timezone.localdate()
    named_votes = sees_named_votes(request.user, proceeding)
    votes = list(proceeding.votes.select_related("member__officer"))
    counts = Counter(v.opinion for v in votes)
    rule = services.sanction_rule(proceeding)
    return render(
        request,
        "discipline/detail.html",
        {
            "p": proceeding,
            "acts": _acts(officer, proceeding),
            "today": today,
            "overdue": proceeding.due_on is not None and proceeding.due_on < today,
            "events": proceeding.events.select_related("actor").order_by("-seq"),
            "members": proceeding.members.select_related("officer"),
            # who voted how: the members and the inspectors; everyone else sees the count of each opinion
            "named_votes": named_votes,
            "votes": votes if named_votes else [],
            "vote_counts": [(label, counts[value]) for value, label in Opinion.choices if counts[value]],
            "record": proceeding_record(proceeding),
            "rule": rule,
            "rule_words": services.rule_words(rule) if rule else None,
            "ground": services.opinion_ground_label(proceeding) if proceeding.opinion else "",
            "dismissed": services.is_dismissed(proceeding.officer),
            "recusals": proceeding.recusals.select_related("member__officer"),
            "exemptions": proceeding.exemptions.all(),
            "objections": proceeding.objections.all(),
            "sanctions": proceeding.sanctions.all(),
            "challenges": proceeding.challenges.all(),
            "submissions": proceeding.submissions.select_related("author"),
            "suspended": proceeding.suspensions.filter(lifted_at__isnull=True).exists(),
            "committees": Committee.objects.prefetch_related("members"),
            "opinions": Opinion.choices,
            "exemption_choices": Exemption.choices,
            "sanction_kinds": SanctionKind.choices,
            "measures": PersonnelMeasure.choices,
            "outcomes": Outcome.choices,
            "objection_closes": services.objection_closes_on(proceeding),
            "chain_intact": not services.verify_events(proceeding),
            "stages": Stage.choices,
        },
    )


# --- the acts on the proceeding page: each form posts ``act`` and the page's ``expected_version`` --------------


def _version(request: HttpRequest) -> int:
    """The proceeding's version the page was showing when the form was filled in (a hidden field of each form)."""
    raw = request.POST.get("expected_version", "")
    if not raw.isdigit():
        raise services.invalid("expected_version", _("Reload the page and try again."))
    return int(raw)


def _pk(request: HttpRequest, field: str) -> int:
    """A record chosen in a form by its id (0, which matches nothing, when the value is not a whole number)."""
    raw = request.POST.get(field, "")
    return int(raw) if raw.isdigit() else 0


def _order(post: Any) -> services.SanctionOrder:
    return services.SanctionOrder(post.get("kind", ""), tuple(post.getlist("measures")))


def _suspend(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.officer_suspend(
        actor=officer, proceeding=p, reason=request.POST.get("reason", ""), expected_version=version
    )


def _reinstate(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.officer_reinstate(
        actor=officer, proceeding=p, reason=request.POST.get("reason", ""), expected_version=version
    )


def _refer(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    committee = Committee.objects.filter(pk=_pk(request, "committee")).first()
    if committee is None:
        raise services.invalid("committee", _("Choose the committee."))
    # the form's ticked members; the API's older form, numbers separated by commas, still works
    typed = [n.strip() for n in request.POST.get("members", "").replace("，", ",").split(",") if n.strip()]
    numbers = request.POST.getlist("member") + typed
    members = list(committee.members.filter(officer_id__in=numbers))
    services.proceeding_refer(
        actor=officer,
        proceeding=p,
        committee=committee,
        members=members,
        findings=request.POST.get("findings", ""),
        expected_version=version,
    )


def _close(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.proceeding_close_without_referral(
        actor=officer, proceeding=p, reason=request.POST.get("reason", ""), expected_version=version
    )


def _notice(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    try:
        hearing_on = parse_date(request.POST.get("hearing_on", ""))
    except ValueError:  # well formed, but no such day
        hearing_on = None
    if hearing_on is None:
        raise services.invalid("hearing_on", _("Give the hearing date."))
    services.notice_serve(
        actor=officer,
        proceeding=p,
        hearing_on=hearing_on,
        notice=request.POST.get("notice", ""),
        expected_version=version,
    )


def _recusal_request(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    member = ProceedingMember.objects.filter(proceeding=p, pk=_pk(request, "member")).first()
    if member is None:
        raise services.invalid("member", _("Choose a member."))
    services.recusal_request(
        actor=officer, proceeding=p, member=member, reason=request.POST.get("reason", ""), expected_version=version
    )


def _recusal_decide(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    recusal = RecusalRequest.objects.filter(proceeding=p, pk=_pk(request, "request")).first()
    if recusal is None:
        raise services.invalid("request", _("No such request."))
    services.recusal_decide(
        actor=officer,
        request=recusal,
        grant=request.POST.get("grant") == "1",
        reason=request.POST.get("reason", ""),
        expected_version=version,
    )


def _hear(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.hearing_record(
        actor=officer, proceeding=p, record=request.POST.get("record", ""), expected_version=version
    )


def _vote(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.vote_cast(
        actor=officer,
        proceeding=p,
        opinion=request.POST.get("opinion", ""),
        reason=request.POST.get("reason", ""),
        expected_version=version,
    )


def _opinion(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    """One fieldset per exemption: a reasoning given means the exemption was considered."""
    post = request.POST
    findings = [
        services.Finding(code, post.get(f"applies-{code}") == "1", post.get(f"reasoning-{code}", ""))
        for code in Exemption.values
        if post.get(f"reasoning-{code}", "").strip()
    ]
    services.opinion_give(
        actor=officer, proceeding=p, reasons=post.get("reasons", ""), findings=findings, expected_version=version
    )


def _serve(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.opinion_serve(actor=officer, proceeding=p, expected_version=version)


def _acknowledge(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.opinion_acknowledge(actor=officer, proceeding=p, expected_version=version)


def _object(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.objection_file(actor=officer, proceeding=p, text=request.POST.get("text", ""), expected_version=version)


def _objection_decide(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.objection_decide(
        actor=officer,
        proceeding=p,
        grant=request.POST.get("grant") == "1",
        reason=request.POST.get("reason", ""),
        opinion=request.POST.get("opinion") or None,
        expected_version=version,
    )


def _decide(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.decision_make(
        actor=officer,
        proceeding=p,
        order=_order(request.POST),
        text=request.POST.get("text", ""),
        expected_version=version,
    )


def _review_request(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.review_request(
        actor=officer, proceeding=p, reason=request.POST.get("reason", ""), expected_version=version
    )


def _review_decide(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.review_decide(
        actor=officer,
        proceeding=p,
        outcome=request.POST.get("outcome", ""),
        reason=request.POST.get("reason", ""),
        order=_order(request.POST) if request.POST.get("kind") else None,
        expected_version=version,
    )


def _appeal(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.appeal_lodge(actor=officer, proceeding=p, reason=request.POST.get("reason", ""), expected_version=version)


def _appeal_extend(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.appeal_extend(actor=officer, proceeding=p, reason=request.POST.get("reason", ""), expected_version=version)


def _appeal_decide(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.appeal_decide(
        actor=officer,
        proceeding=p,
        outcome=request.POST.get("outcome", ""),
        reason=request.POST.get("reason", ""),
        order=_order(request.POST) if request.POST.get("kind") else None,
        expected_version=version,
    )


def _submit(request: HttpRequest, officer: Officer, p: Proceeding, version: int) -> None:
    services.submission_add(
        actor=officer,
        proceeding=p,
        text=request.POST.get("text", ""),
        files=request.FILES.getlist("files"),
        expected_version=version,
    )


#: Each act on the page: the form's ``act`` value and the function that reads that form and calls the service.
ACTS: dict[str, Callable[[HttpRequest, Officer, Proceeding, int], None]] = {
    "suspend": _suspend,
    "reinstate": _reinstate,
    "refer": _refer,
    "close": _close,
    "notice": _notice,
    "recusal_request": _recusal_request,
    "recusal_decide": _recusal_decide,
    "hear": _hear,
    "vote": _vote,
    "opinion": _opinion,
    "serve": _serve,
    "acknowledge": _acknowledge,
    "object": _object,
    "objection_decide": _objection_decide,
    "decide": _decide,
    "review_request": _review_request,
    "review_decide": _review_decide,
    "appeal": _appeal,
    "appeal_extend": _appeal_extend,
    "appeal_decide": _appeal_decide,
    "submit": _submit,
}


#: Each document, and what must have happened for it to exist.
DOCUMENTS = {
    "notice": lambda p: p.hearing_on is not None,
    "opinion": lambda p: p.opinion_served_at is not None,
    "decision": lambda p: p.decided_at is not None,
}


@login_required
def document(request: HttpRequest, public_id: Any, kind: str) -> HttpResponse:
    """A printable Chinese document (通知书, 审查意见书, 惩戒决定书): HTML with a print stylesheet, written from the
    proceeding's final state and its recorded dates (the day the hearing was held, each review or appeal outcome
    with the day it was decided), dated the day its last step was taken, never the day it is printed."""
    proceeding = _proceeding_or_404(request, public_id)
    if kind not in DOCUMENTS or not DOCUMENTS[kind](proceeding):
        raise Http404
    record = proceeding_record(proceeding)
    objection = proceeding.objections.exclude(decision="").order_by("-pk").first()
    issued = {
        "notice": record.dates.get("notice_served"),
        "opinion": timezone.localdate(objection.decided_at)
        if objection and objection.decided_at
        else record.dates.get("opinion_given"),
        "decision": record.final_on,
    }[kind]
    days = services.settings.QUANZE_DISCIPLINE_DAYS
    return render(
        request,
        f"discipline/doc_{kind}.html",
        {
            "p": proceeding,
            "issued_on": issued,
            "record": record,
            "dates": record.dates,
            "objection": objection,
            "exemptions": proceeding.exemptions.all(),
            "exempted": services.opinion_ground(proceeding) == "exempted",
            "sanction": record.final,
            "members": proceeding.members.filter(recused=False).select_related("officer"),
            "review_days": days["review_request"],
            "appeal_days": days["direct_appeal"],
            "appeal_after_review_days": days["appeal_after_review"],
            "objection_days": days["served"],
        },
    )


@login_required
def evidence_download(request: HttpRequest, public_id: Any, sha256: str) -> FileResponse:
    """An evidence file of the officer's submission: to those who may see the proceeding, always as a download."""
    proceeding = _proceeding_or_404(request, public_id)
    for submission in proceeding.submissions.all():
        for stored in submission.files:
            if stored["sha256"] == sha256:
                return attachments.download_response(stored["stored_name"], stored["name"], stored["type"])
    raise Http404
