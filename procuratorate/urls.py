from django.urls import path

from procuratorate import views

app_name = "procuratorate"

urlpatterns = [
    path("<uuid:public_id>/procuratorate/return/", views.supplementary_return, name="return"),
    path("<uuid:public_id>/procuratorate/resubmit/", views.investigation_resubmit, name="resubmit"),
    path("<uuid:public_id>/procuratorate/chief/request/", views.chief_request, name="chief-request"),
    path("<uuid:public_id>/procuratorate/chief/decision/", views.chief_decide, name="chief-decide"),
    path("<uuid:public_id>/procuratorate/facts/", views.facts_record, name="facts"),
]
