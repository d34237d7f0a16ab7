from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("link/<str:token>/", views.open_link, name="open"),
    path("form/", views.family_form, name="form"),
    path("check/", views.check_answers, name="check"),
    path("done/", views.confirmation, name="done"),
    path("new-link/", views.new_link, name="new_link"),
    path("new-link/sent/", views.new_link_sent, name="new_link_sent"),
]
