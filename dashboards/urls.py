from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("cases/", views.drill_down, name="drill"),
    path("export.xlsx", views.export, name="export"),
    path("report/", views.monthly_report, name="report"),
]
