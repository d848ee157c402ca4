from django.urls import path

from cases import views, views_assignment, views_closing, views_extensions, views_filing

app_name = "cases"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("filing/", views_filing.filing_list, name="filing-list"),
    path("filing/new/", views_filing.filing_new, name="filing-new"),
    path("filing/refuse/", views_filing.filing_refuse, name="filing-refuse"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/actions/", views.case_log_action, name="log"),
    path("<uuid:public_id>/extension/request/", views_extensions.extension_request, name="extension-request"),
    path("<uuid:public_id>/extension/decision/", views_extensions.extension_decide, name="extension-decide"),
    path("<uuid:public_id>/attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
    path("<uuid:public_id>/close/", views_closing.case_close, name="close"),
    path("<uuid:public_id>/archive/", views_closing.case_archive, name="archive"),
    # 分案: the draw, designation, change of the lead judge, panel, assistants and clerks, recusal; requests inbox
    path("requests/", views_assignment.requests_inbox, name="requests"),
    path("requests/<uuid:request_id>/decision/", views_assignment.request_decide, name="request-decide"),
    path("<uuid:public_id>/assignment/random/", views_assignment.assign_random, name="assign-random"),
    path("<uuid:public_id>/assignment/designation/", views_assignment.designation_request, name="designation-request"),
    path("<uuid:public_id>/assignment/lead-change/", views_assignment.lead_change_request, name="lead-change-request"),
    path("<uuid:public_id>/assignment/panel/", views_assignment.panel_form, name="panel-form"),
    path("<uuid:public_id>/assignment/participants/", views_assignment.participant_attach, name="participant-attach"),
    path("<uuid:public_id>/assignment/recusal/", views_assignment.recusal_request, name="recusal-request"),
    path("<uuid:public_id>/draws/<uuid:draw_id>/", views_assignment.draw_detail, name="draw"),
]
