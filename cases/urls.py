from django.urls import path

from cases import views, views_closing, views_extensions, views_filing

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
]
