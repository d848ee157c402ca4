from django.urls import path

from interference import views

app_name = "interference"
urlpatterns = [
    path("", views.interference_list, name="list"),
    path("new/", views.interference_new, name="new"),
    path("export.xlsx", views.interference_export, name="export"),
    path("reports/", views.interference_reports, name="reports"),
    path("reports/export.xlsx", views.interference_reports_export, name="reports-export"),
    path("<uuid:public_id>/", views.interference_detail, name="detail"),
    path(
        "<uuid:public_id>/attachments/<uuid:attachment_id>/",
        views.interference_attachment_download,
        name="attachment",
    ),
]
