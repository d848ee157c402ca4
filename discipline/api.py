"""Discipline endpoints: reads through the selectors (a proceeding one may not see is 404, as on the pages), and one
endpoint per act, each with its own input serializer (discipline/serializers.py), calling the act's service
directly. The pages (discipline/views.py) call the same services; neither module imports the other."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accountability.audit import audit_read
from accountability.errors import NotFound, PowerDenied
from accountability.models import Officer
from accountability.selectors import officer_for_user
from discipline import serializers as io
from discipline import services
from discipline.models import Proceeding, ProceedingEvent, RecusalRequest
from discipline.selectors import proceeding_get_for_user, proceedings_visible_to, sees_named_votes

DONE = {200: io.ProceedingDetailSerializer}


def _order(data: dict[str, Any]) -> services.SanctionOrder | None:
    """The sanction an act orders (None: the outcome names none)."""
    if data.get("kind") is None:
        return None
    return services.SanctionOrder(data["kind"], tuple(data.get("measures", ())))


class ProceedingViewSet(viewsets.ReadOnlyModelViewSet):
    """Proceedings the caller handles or that concern them; any other is 404.

    Each step of the process is its own endpoint: ``POST /api/proceedings/{id}/acts/<act>/``, where ``<act>`` is
    one of suspend, reinstate, refer, close, notice, recusal-request, recusal-decide, hear, vote, opinion, serve,
    acknowledge, object, objection-decide, decide, review-request, review-decide, appeal, appeal-extend,
    appeal-decide and submit. Each takes its own JSON body (``submit`` also multipart/form-data, for evidence
    files), always with ``expected_version``: the proceeding's ``version`` as the caller last read it; a stale
    version is 409 and changes nothing. The answer is the proceeding as ``GET /api/proceedings/{id}/`` shows it.
    Who may act, when, and within which window is the services' to decide, with the same refusals as the page.
    """

    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return proceedings_visible_to(self.request.user).order_by("-created_at")

    def get_serializer_class(self):
        return io.ProceedingDetailSerializer if self.action == "retrieve" else io.ProceedingSerializer

    def get_object(self) -> Proceeding:
        try:
            proceeding = proceeding_get_for_user(self.request.user, public_id=self.kwargs["id"])
        except NotFound as exc:
            audit_read(self.request, "proceeding", self.kwargs["id"], allowed=False)
            raise DRFNotFound() from exc
        audit_read(self.request, "proceeding", self.kwargs["id"], allowed=True)
        return proceeding

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_read(request, "proceeding", "list", allowed=True)
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    def _detail(self, proceeding: Proceeding) -> Response:
        """The proceeding as it stands now, read fresh, in a fixed number of queries. The officer concerned (and
        anyone but the committee and the inspectors) gets the vote events without who cast them."""
        fresh = (
            Proceeding.objects.select_related("officer", "organisation")
            .prefetch_related(
                "members__officer",
                "recusals__member__officer",
                "sanctions",
                Prefetch("events", ProceedingEvent.objects.select_related("actor").order_by("seq")),
            )
            .get(pk=proceeding.pk)
        )
        named = sees_named_votes(self.request.user, fresh)
        return Response(io.ProceedingDetailSerializer(fresh, context={"named_votes": named}).data)

    def _act(self, serializer_class: type[serializers.Serializer]) -> tuple[Proceeding, Officer, dict[str, Any]]:
        """The proceeding (404 unless visible), the acting officer, and the act's validated body (400 naming
        each field at fault)."""
        proceeding = self.get_object()
        officer = officer_for_user(self.request.user)
        if officer is None:
            raise PowerDenied(_("Only officers can act on proceedings."))
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return proceeding, officer, body.validated_data

    # --- investigation ---------------------------------------------------------------------------------------

    @extend_schema(request=io.SuspendActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/suspend")
    def suspend(self, request: Request, id: str | None = None) -> Response:
        """Suspend the officer from duty (暂停履职): the power list refuses them case work until lifted."""
        p, officer, data = self._act(io.SuspendActSerializer)
        services.officer_suspend(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.ReinstateActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/reinstate")
    def reinstate(self, request: Request, id: str | None = None) -> Response:
        """Lift the officer's suspension from duty."""
        p, officer, data = self._act(io.ReinstateActSerializer)
        services.officer_reinstate(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.ReferActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/refer")
    def refer(self, request: Request, id: str | None = None) -> Response:
        """Refer the investigation's findings to the discipline committee (提请审议), with the sitting members."""
        p, officer, data = self._act(io.ReferActSerializer)
        services.proceeding_refer(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.CloseActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/close")
    def close(self, request: Request, id: str | None = None) -> Response:
        """Close the investigation without referral; any suspension is lifted."""
        p, officer, data = self._act(io.CloseActSerializer)
        services.proceeding_close_without_referral(actor=officer, proceeding=p, **data)
        return self._detail(p)

    # --- the committee ---------------------------------------------------------------------------------------

    @extend_schema(request=io.NoticeActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/notice")
    def notice(self, request: Request, id: str | None = None) -> Response:
        """Serve the notice on the officer (通知), with the hearing date."""
        p, officer, data = self._act(io.NoticeActSerializer)
        services.notice_serve(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.RecusalRequestActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/recusal-request")
    def recusal_request(self, request: Request, id: str | None = None) -> Response:
        """The officer concerned asks that a sitting member step aside (回避)."""
        p, officer, data = self._act(io.RecusalRequestActSerializer)
        member = p.members.filter(officer__officer_id=data["member"], recused=False).first()
        if member is None:
            raise services.invalid("member", _("Choose a member."))
        services.recusal_request(
            actor=officer, proceeding=p, member=member, reason=data["reason"], expected_version=data["expected_version"]
        )
        return self._detail(p)

    @extend_schema(request=io.RecusalDecideActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/recusal-decide")
    def recusal_decide(self, request: Request, id: str | None = None) -> Response:
        """Another member decides a pending recusal request."""
        p, officer, data = self._act(io.RecusalDecideActSerializer)
        pending = RecusalRequest.objects.filter(proceeding=p, member__officer__officer_id=data["member"], decision="")
        recusal = pending.first()
        if recusal is None:
            raise services.invalid("member", _("No such request."))
        services.recusal_decide(
            actor=officer,
            request=recusal,
            grant=data["grant"],
            reason=data["reason"],
            expected_version=data["expected_version"],
        )
        return self._detail(p)

    @extend_schema(request=io.HearActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/hear")
    def hear(self, request: Request, id: str | None = None) -> Response:
        """Record the hearing (听证)."""
        p, officer, data = self._act(io.HearActSerializer)
        services.hearing_record(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.VoteActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/vote")
    def vote(self, request: Request, id: str | None = None) -> Response:
        """A sitting member's own vote on the opinion, once."""
        p, officer, data = self._act(io.VoteActSerializer)
        services.vote_cast(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.OpinionActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/opinion")
    def opinion(self, request: Request, id: str | None = None) -> Response:
        """Give the committee's opinion: the majority of the sitting members' votes, with the exemptions."""
        p, officer, data = self._act(io.OpinionActSerializer)
        findings = [services.Finding(f["exemption"], f["applies"], f["reasoning"]) for f in data.get("findings", [])]
        services.opinion_give(
            actor=officer,
            proceeding=p,
            reasons=data["reasons"],
            findings=findings,
            expected_version=data["expected_version"],
        )
        return self._detail(p)

    @extend_schema(request=io.ServeActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/serve")
    def serve(self, request: Request, id: str | None = None) -> Response:
        """Serve the written opinion on the officer (送达); the objection window starts."""
        p, officer, data = self._act(io.ServeActSerializer)
        services.opinion_serve(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.AcknowledgeActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/acknowledge")
    def acknowledge(self, request: Request, id: str | None = None) -> Response:
        """The officer concerned confirms receipt of the opinion (签收)."""
        p, officer, data = self._act(io.AcknowledgeActSerializer)
        services.opinion_acknowledge(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.ObjectActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/object")
    def object_to_opinion(self, request: Request, id: str | None = None) -> Response:
        """The officer concerned objects to the opinion within the window (异议)."""
        p, officer, data = self._act(io.ObjectActSerializer)
        services.objection_file(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.ObjectionDecideActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/objection-decide")
    def objection_decide(self, request: Request, id: str | None = None) -> Response:
        """The committee decides the objection; granted, the opinion becomes milder."""
        p, officer, data = self._act(io.ObjectionDecideActSerializer)
        services.objection_decide(actor=officer, proceeding=p, **data)
        return self._detail(p)

    # --- decision, review and appeal -------------------------------------------------------------------------

    @extend_schema(request=io.DecideActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/decide")
    def decide(self, request: Request, id: str | None = None) -> Response:
        """The organisation's decision on the final opinion (惩戒决定): a sanction (or none) and its measures, within
        what the opinion allows (its sanction rule): a decision exceeding it is 422 ``exceeds_opinion``, naming the
        opinion and what it allows, with ``details.rule`` (the opinion, the sanctions and measures allowed) as codes;
        nothing changes."""
        p, officer, data = self._act(io.DecideActSerializer)
        services.decision_make(
            actor=officer,
            proceeding=p,
            order=_order(data),
            text=data["text"],
            expected_version=data["expected_version"],
        )
        return self._detail(p)

    @extend_schema(request=io.ReviewRequestActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/review-request")
    def review_request(self, request: Request, id: str | None = None) -> Response:
        """The officer concerned asks for review (复核) of the decision."""
        p, officer, data = self._act(io.ReviewRequestActSerializer)
        services.review_request(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.ReviewDecideActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/review-decide")
    def review_decide(self, request: Request, id: str | None = None) -> Response:
        """The deciding organisation decides the review: never harsher than the decision."""
        p, officer, data = self._act(io.ReviewDecideActSerializer)
        services.review_decide(
            actor=officer,
            proceeding=p,
            outcome=data["outcome"],
            reason=data["reason"],
            order=_order(data),
            expected_version=data["expected_version"],
        )
        return self._detail(p)

    @extend_schema(request=io.AppealActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/appeal")
    def appeal(self, request: Request, id: str | None = None) -> Response:
        """The officer concerned appeals (申诉) to the organisation above."""
        p, officer, data = self._act(io.AppealActSerializer)
        services.appeal_lodge(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.AppealExtendActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/appeal-extend")
    def appeal_extend(self, request: Request, id: str | None = None) -> Response:
        """The organisation above extends the time to decide the appeal, once."""
        p, officer, data = self._act(io.AppealExtendActSerializer)
        services.appeal_extend(actor=officer, proceeding=p, **data)
        return self._detail(p)

    @extend_schema(request=io.AppealDecideActSerializer, responses=DONE)
    @action(detail=True, methods=["post"], url_path="acts/appeal-decide")
    def appeal_decide(self, request: Request, id: str | None = None) -> Response:
        """The organisation above decides the appeal, never harsher; the proceeding closes."""
        p, officer, data = self._act(io.AppealDecideActSerializer)
        services.appeal_decide(
            actor=officer,
            proceeding=p,
            outcome=data["outcome"],
            reason=data["reason"],
            order=_order(data),
            expected_version=data["expected_version"],
        )
        return self._detail(p)

    # --- the officer's statements ----------------------------------------------------------------------------

    @extend_schema(
        request={"multipart/form-data": io.SubmitActSerializer, "application/json": io.SubmitActSerializer},
        responses=DONE,
    )
    @action(detail=True, methods=["post"], url_path="acts/submit", parser_classes=[MultiPartParser, JSONParser])
    def submit(self, request: Request, id: str | None = None) -> Response:
        """The officer concerned makes a statement, presents evidence or defends themselves (陈述、举证、辩解)."""
        p, officer, data = self._act(io.SubmitActSerializer)
        services.submission_add(actor=officer, proceeding=p, **data)
        return self._detail(p)
