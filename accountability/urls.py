from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accountability import api as accountability_api
from accountability import second_factor, views
from assessment import api as assessment_api
from cases import api as cases_api
from cases import api_assignment as cases_assignment_api
from cases import api_filing as cases_filing_api
from cases import api_lifecycle as cases_lifecycle_api
from cases import api_requests as cases_requests_api
from dashboards import views as dashboard_views
from deliberation import api as deliberation_api
from discipline import api as discipline_api
from evaluation import api as evaluation_api
from similar import api as similar_api

router = DefaultRouter()
router.register("organisations", accountability_api.OrganisationViewSet, basename="organisation")
router.register("officers", accountability_api.OfficerViewSet, basename="officer")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("proceedings", discipline_api.ProceedingViewSet, basename="proceeding")
router.register("reviews", evaluation_api.ReviewViewSet, basename="review")
router.register("defect-items", evaluation_api.DefectItemViewSet, basename="defect-item")

handler404 = accountability_api.api_not_found

urlpatterns = [
    path("", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", dashboard_views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("officers/lookup/", views.officer_lookup, name="officer-lookup"),
    path("audit/", views.audit_log, name="audit"),
    path("2fa/", second_factor.second_factor, name="second-factor"),
    path("2fa/reset/", second_factor.second_factor_reset, name="second-factor-reset"),
    path("account/password/", second_factor.password_change, name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("evaluation/", include("evaluation.urls")),
    # The watchers' pages live under /cases/ beside the case pages they act on (paths unchanged by the split).
    path("cases/interference/", include("interference.urls")),
    path("cases/", include("supervision.urls")),
    path("cases/", include("similar.urls")),
    path("cases/", include("procuratorate.urls")),
    path("cases/", include("cases.urls")),
    path("discipline/", include("discipline.urls")),
    path("deliberation/", include("deliberation.urls")),
    path("assessment/", include("assessment.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/auth/token/", accountability_api.TokenView.as_view(), name="api-token"),
    path("api/review-plans/", evaluation_api.ReviewPlanView.as_view(), name="api-review-plans"),
    path("api/performance/<uuid:id>/", evaluation_api.PerformanceView.as_view(), name="api-performance"),
    path("api/metric-results/", evaluation_api.MetricResultView.as_view(), name="api-metric-results"),
    path("api/assessments/", assessment_api.AssessmentListView.as_view(), name="api-assessments"),
    path("api/assessments/<uuid:id>/", assessment_api.AssessmentDetailView.as_view(), name="api-assessment"),
    path(
        "api/assessments/<uuid:id>/<str:step>/",
        assessment_api.AssessmentStepView.as_view(),
        name="api-assessment-step",
    ),
    path("api/similar-cases/", similar_api.SimilarSearchView.as_view(), name="api-similar-cases"),
    path("api/deliberation/meetings/", deliberation_api.MeetingListView.as_view(), name="api-meetings"),
    path("api/deliberation/meetings/<uuid:id>/", deliberation_api.MeetingDetailView.as_view(), name="api-meeting"),
    path(
        "api/deliberation/meetings/<uuid:id>/<str:act>/",
        deliberation_api.MeetingActView.as_view(),
        name="api-meeting-act",
    ),
    path(
        "api/deliberation/meetings/<uuid:id>/items/<uuid:item_id>/<str:act>/",
        deliberation_api.ItemActView.as_view(),
        name="api-meeting-item-act",
    ),
    path("api/deliberation/follow-ups/", deliberation_api.FollowUpListView.as_view(), name="api-follow-ups"),
    path(
        "api/deliberation/follow-ups/<uuid:item_id>/",
        deliberation_api.FollowUpCompleteView.as_view(),
        name="api-follow-up",
    ),
    path("api/cases/<uuid:id>/search-reports/", similar_api.SearchReportView.as_view(), name="api-search-reports"),
    path("api/cases/<uuid:id>/flow/", cases_lifecycle_api.CaseFlowView.as_view(), name="api-case-flow"),
    path("api/cases/<uuid:id>/close/", cases_lifecycle_api.CaseCloseView.as_view(), name="api-case-close"),
    path("api/cases/<uuid:id>/archive/", cases_lifecycle_api.CaseArchiveView.as_view(), name="api-case-archive"),
    path("api/filings/", cases_filing_api.FilingView.as_view(), name="api-filings"),
    path("api/filing-refusals/", cases_filing_api.FilingRefusalView.as_view(), name="api-filing-refusals"),
    path(
        "api/cases/<uuid:id>/extension-requests/",
        cases_requests_api.ExtensionRequestView.as_view(),
        name="api-extension-requests",
    ),
    path(
        "api/case-requests/<uuid:id>/decision/",
        cases_requests_api.CaseRequestDecisionView.as_view(),
        name="api-case-request-decision",
    ),
    # 分案: the draw, designation, change of the lead judge, panel, assistants and clerks, recusal; requests listed
    path(
        "api/cases/<uuid:id>/assignment/random/",
        cases_assignment_api.RandomAssignmentView.as_view(),
        name="api-assignment-random",
    ),
    path(
        "api/cases/<uuid:id>/designation-requests/",
        cases_assignment_api.DesignationRequestView.as_view(),
        name="api-designation-requests",
    ),
    path(
        "api/cases/<uuid:id>/lead-change-requests/",
        cases_assignment_api.LeadChangeRequestView.as_view(),
        name="api-lead-change-requests",
    ),
    path("api/cases/<uuid:id>/panel/", cases_assignment_api.PanelView.as_view(), name="api-panel"),
    path("api/cases/<uuid:id>/participants/", cases_assignment_api.ParticipantView.as_view(), name="api-participants"),
    path(
        "api/cases/<uuid:id>/recusal-requests/",
        cases_assignment_api.RecusalRequestView.as_view(),
        name="api-recusal-requests",
    ),
    path("api/case-requests/", cases_assignment_api.CaseRequestListView.as_view(), name="api-case-requests"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

if settings.QUANZE_BENCH_ENDPOINTS:  # benchmark harness only (bench/action_bench.py)
    from accountability.bench_views import BareInsertView
    from cases.bench_views import ChainedAppendView

    urlpatterns.append(path("bench/bare-insert/", BareInsertView.as_view()))
    urlpatterns.append(path("bench/cases/<uuid:id>/chained-append/", ChainedAppendView.as_view()))
