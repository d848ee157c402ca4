from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("supervision/", views.inbox, name="inbox"),
    path("<uuid:public_id>/flags/", views.case_flag_raise, name="flag-raise"),
    path("<uuid:public_id>/flags/<uuid:flag_id>/", views.case_flag_decide, name="flag-decide"),
    path("<uuid:public_id>/supervise/", views.case_supervise, name="supervise"),
    path("<uuid:public_id>/tasks/<uuid:task_id>/report/", views.task_report, name="task-report"),
    path("<uuid:public_id>/referrals/<uuid:referral_id>/outcome/", views.referral_outcome, name="referral-outcome"),
]
