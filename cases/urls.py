from django.urls import path

from cases import views, views_similar, views_supervision

app_name = "cases"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("supervision/", views_supervision.inbox, name="inbox"),
    path("similar/", views_similar.search_page, name="similar-search"),
    path("<uuid:public_id>/similar-reports/", views_similar.report_new, name="similar-report"),
    path("interference/", views_supervision.interference_list, name="interference"),
    path("interference/new/", views_supervision.interference_new, name="interference-new"),
    path("interference/export.xlsx", views_supervision.interference_export, name="interference-export"),
    path("interference/reports/", views_supervision.interference_reports, name="interference-reports"),
    path(
        "interference/reports/export.xlsx",
        views_supervision.interference_reports_export,
        name="interference-reports-export",
    ),
    path("interference/<uuid:public_id>/", views_supervision.interference_detail, name="interference-detail"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/actions/", views.case_log_action, name="log"),
    path("<uuid:public_id>/extension/", views.case_decide_extension, name="extension"),
    path("<uuid:public_id>/attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
    path("<uuid:public_id>/flags/", views.case_flag_raise, name="flag-raise"),
    path("<uuid:public_id>/flags/<uuid:flag_id>/", views.case_flag_decide, name="flag-decide"),
    path("<uuid:public_id>/supervise/", views_supervision.case_supervise, name="supervise"),
    path("<uuid:public_id>/tasks/<uuid:task_id>/report/", views_supervision.task_report, name="task-report"),
    path(
        "<uuid:public_id>/referrals/<uuid:referral_id>/outcome/",
        views_supervision.referral_outcome,
        name="referral-outcome",
    ),
]
