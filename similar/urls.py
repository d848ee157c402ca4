from django.urls import path

from similar import views

app_name = "similar"
urlpatterns = [
    path("similar/", views.search_page, name="search"),
    path("<uuid:public_id>/similar-reports/", views.report_new, name="report"),
    path("<uuid:public_id>/similar-reports/<uuid:report_id>/", views.report_print, name="report-print"),
]
