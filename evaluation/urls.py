from django.urls import path

from evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("recompute/", views.recompute, name="recompute"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run-progress"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/plan/", views.review_plan_new, name="review-plan"),
    path("reviews/<uuid:public_id>/", views.review_detail, name="review"),
    path("performance/", views.performance, name="performance"),
    path("performance/<uuid:public_id>/", views.performance, name="performance-of"),
]
