from django.urls import path

from discipline import views

app_name = "discipline"
urlpatterns = [
    path("", views.proceeding_list, name="list"),
    path("leads/new/", views.lead_new, name="lead-new"),
    path("leads/<uuid:public_id>/", views.lead_review, name="lead"),
    path("<uuid:public_id>/", views.proceeding_detail, name="detail"),
    path("<uuid:public_id>/documents/<str:kind>/", views.document, name="document"),
    path("<uuid:public_id>/evidence/<str:sha256>/", views.evidence_download, name="evidence"),
]
