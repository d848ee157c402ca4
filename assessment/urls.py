from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("distribution/", views.distribution, name="distribution"),
    path("distribution.xlsx", views.export, name="export"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/<str:action>/", views.act, name="act"),
]
