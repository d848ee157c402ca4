from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("convene/", views.convene, name="convene"),
    path("meetings/<uuid:public_id>/", views.meeting, name="meeting"),
    path("meetings/<uuid:public_id>/minutes/", views.minutes, name="minutes"),
    path("meetings/<uuid:public_id>/open/", views.open_meeting, name="open"),
    path("meetings/<uuid:public_id>/items/<uuid:item_id>/opinion/", views.opinion, name="opinion"),
    path(
        "meetings/<uuid:public_id>/items/<uuid:item_id>/documents/<uuid:attachment_id>/",
        views.material,
        name="material",
    ),
    path("meetings/<uuid:public_id>/items/<uuid:item_id>/recuse/", views.recuse, name="recuse"),
    path("meetings/<uuid:public_id>/items/<uuid:item_id>/resolve/", views.resolve, name="resolve"),
    path("meetings/<uuid:public_id>/conclude/", views.conclude, name="conclude"),
    path("meetings/<uuid:public_id>/sign/", views.sign, name="sign"),
    path("cases/<uuid:public_id>/request/", views.panel_request, name="request"),
    path("cases/<uuid:public_id>/items/<uuid:item_id>/departure/", views.departure, name="departure"),
    path("cases/<uuid:public_id>/items/<uuid:item_id>/follow-up/", views.follow_up_done, name="follow-up"),
]
