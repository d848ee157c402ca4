"""Pages of the deliberation bodies: a member's desk (meetings, opinions to give, minutes to sign, follow-ups), a
meeting (agenda, attendance, opinions in order, vote, resolution), its printable minutes, and the case page's
panel. Every write goes through ``deliberation.services``; a refusal is shown by ``DomainErrorMiddleware``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accountability.choices import ActionType
from accountability.errors import ValidationFailed
from accountability.powers import power_decide
from accountability.selectors import officer_for_user
from cases import attachments
from cases.views import case_or_404
from deliberation import selectors, services
from deliberation.choices import ItemStatus, MeetingStatus
from deliberation.hooks import FILTER_BODY
from deliberation.models import AgendaItem, FollowUp
from supervision import services as supervision


def _officer(request: HttpRequest):
    officer = officer_for_user(request.user)
    if officer is None:
        raise Http404
    return officer


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """A member's page: meetings to attend, opinions it is their turn to give, minutes to sign; bodies and (for
    those who convene) the referred cases awaiting a meeting."""
    officer = _officer(request)
    may_convene = power_decide(
        officer=officer, action_type=ActionType.MEETING_CONVENED, organisation=officer.organisation
    ).allowed
    bodies = list(selectors.bodies_visible_to(request.user))
    waiting = {body.pk: list(selectors.pending_items(body)) for body in bodies} if may_convene else {}
    return render(
        request,
        "deliberation/desk.html",
        {
            "desk": selectors.member_desk(request.user),
            "bodies": [(body, waiting.get(body.pk, [])) for body in bodies],
            "may_convene": may_convene,
        },
    )


@login_required
@require_POST
def convene(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    body = selectors.bodies_visible_to(request.user).filter(pk=request.POST.get("body") or 0).first()
    if body is None:
        raise ValidationFailed(_("Choose the body."), details={"body": [_("Choose the body.")]})
    when = parse_datetime(request.POST.get("scheduled_for", "") or "")
    if when is not None and is_naive(when):
        when = make_aware(when, get_current_timezone())
    chosen = request.POST.getlist("items")
    items = list(selectors.pending_items(body).filter(public_id__in=chosen)) if chosen else []
    meeting = services.meeting_convene(actor=officer, body=body, scheduled_for=when, items=items)
    messages.success(request, _("The meeting is convened and its members are told."))
    return redirect("deliberation:meeting", public_id=meeting.public_id)


@login_required
def meeting(request: HttpRequest, public_id) -> HttpResponse:
    officer = _officer(request)
    found = selectors.meeting_get_for_request(request, public_id=public_id)
    items = []
    documents = selectors.meeting_documents(found)
    for item in found.items.all():
        turn = services.next_speaker(item) if item.status == ItemStatus.ON_AGENDA else None
        items.append(
            {
                "item": item,
                "speakers": services.speakers(item) if found.status != MeetingStatus.SCHEDULED else [],
                "turn": turn,
                "my_turn": turn is not None and turn.officer_id == officer.pk,
                "recused_me": any(r.membership.officer_id == officer.pk for r in item.recusals.all()),
                "documents": documents.get(item.case_id, []),
            }
        )
    me = next((a for a in found.attendances.all() if a.membership.officer_id == officer.pk), None)
    return render(
        request,
        "deliberation/meeting.html",
        {
            "meeting": found,
            "items": items,
            "me": me,
            "presiding": found.presiding.officer_id == officer.pk,
            "chain_ok": not services.meeting_verify(found),
        },
    )


@login_required
def minutes(request: HttpRequest, public_id) -> HttpResponse:
    """The printable minutes: attendance, each item's opinions in speaking order, the vote, the resolution and the
    signatures, with the chain's head."""
    found = selectors.meeting_get_for_request(request, public_id=public_id)
    return render(
        request,
        "deliberation/minutes.html",
        {"meeting": found, "chain_ok": not services.meeting_verify(found)},
    )


@login_required
def material(request: HttpRequest, public_id, item_id, attachment_id) -> FileResponse:
    """A document of an agenda item's case, for those who may read the meeting; always a download."""
    found = selectors.meeting_get_for_request(request, public_id=public_id)
    document = selectors.meeting_document_for_request(
        request, meeting=found, item_id=item_id, attachment_id=attachment_id
    )
    return attachments.download_response(document.stored_name, document.original_name, document.content_type)


def _meeting_for_write(request: HttpRequest, public_id):
    return selectors.meeting_get_for_request(request, public_id=public_id)


def _item(found, item_id) -> AgendaItem:
    item = next((i for i in found.items.all() if str(i.public_id) == str(item_id)), None)
    if item is None:
        raise Http404
    return item


@login_required
@require_POST
def open_meeting(request: HttpRequest, public_id) -> HttpResponse:
    officer = _officer(request)
    found = _meeting_for_write(request, public_id)
    present = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
    services.meeting_open(
        actor=officer, meeting=found, present=present, expected_version=int(request.POST.get("version") or 0) or None
    )
    messages.success(request, _("The meeting is open."))
    return redirect("deliberation:meeting", public_id=public_id)


@login_required
@require_POST
def opinion(request: HttpRequest, public_id, item_id) -> HttpResponse:
    officer = _officer(request)
    found = _meeting_for_write(request, public_id)
    services.opinion_give(
        actor=officer, item=_item(found, item_id), text=request.POST.get("text", ""), vote=request.POST.get("vote", "")
    )
    messages.success(request, _("Your opinion is recorded."))
    return redirect("deliberation:meeting", public_id=public_id)


@login_required
@require_POST
def recuse(request: HttpRequest, public_id, item_id) -> HttpResponse:
    officer = _officer(request)
    found = _meeting_for_write(request, public_id)
    services.recusal_declare(actor=officer, item=_item(found, item_id), reason=request.POST.get("reason", ""))
    messages.success(request, _("Your withdrawal is recorded."))
    return redirect("deliberation:meeting", public_id=public_id)


@login_required
@require_POST
def resolve(request: HttpRequest, public_id, item_id) -> HttpResponse:
    officer = _officer(request)
    found = _meeting_for_write(request, public_id)
    services.item_resolve(actor=officer, item=_item(found, item_id), resolution=request.POST.get("resolution", ""))
    messages.success(request, _("The resolution is recorded in the case's trace."))
    return redirect("deliberation:meeting", public_id=public_id)


@login_required
@require_POST
def conclude(request: HttpRequest, public_id) -> HttpResponse:
    officer = _officer(request)
    services.meeting_conclude(actor=officer, meeting=_meeting_for_write(request, public_id))
    messages.success(request, _("The meeting is concluded; the minutes await the members' signatures."))
    return redirect("deliberation:meeting", public_id=public_id)


@login_required
@require_POST
def sign(request: HttpRequest, public_id) -> HttpResponse:
    officer = _officer(request)
    services.minutes_sign(actor=officer, meeting=_meeting_for_write(request, public_id))
    messages.success(request, _("You signed the minutes."))
    return redirect("deliberation:meeting", public_id=public_id)


@login_required
@require_POST
def departure(request: HttpRequest, public_id, item_id) -> HttpResponse:
    """From the case page: the panel records why it departs from a judges' meeting's advisory opinion."""
    officer = _officer(request)
    case = case_or_404(request, public_id)
    item = AgendaItem.objects.filter(case=case, public_id=item_id).first()
    if item is None:
        raise Http404
    services.departure_record(actor=officer, item=item, reason=request.POST.get("reason", ""))
    messages.success(request, _("Recorded in the case's trace."))
    return redirect("cases:detail", public_id=case.public_id)


@login_required
@require_POST
def follow_up_done(request: HttpRequest, public_id, item_id) -> HttpResponse:
    officer = _officer(request)
    case = case_or_404(request, public_id)
    follow_up = FollowUp.objects.filter(item__case=case, item__public_id=item_id).first()
    if follow_up is None:
        raise Http404
    services.follow_up_complete(actor=officer, follow_up=follow_up, note=request.POST.get("note", ""))
    messages.success(request, _("Recorded in the case's trace."))
    return redirect("cases:detail", public_id=case.public_id)


@login_required
@require_POST
def panel_request(request: HttpRequest, public_id) -> HttpResponse:
    """The panel (or the lead prosecutor) refers its own case to its judges' (joint) meeting: a referral like a
    leader's, checked by the power list and the referral rules."""
    officer = _officer(request)
    case = case_or_404(request, public_id)
    body = FILTER_BODY.get(case.organisation.kind)
    if body is None:
        raise Http404
    supervision.referral_create(actor=officer, case=case, body=body, reason=request.POST.get("reason", ""))
    messages.success(request, _("Recorded in the case's trace."))
    return redirect("cases:detail", public_id=case.public_id)
