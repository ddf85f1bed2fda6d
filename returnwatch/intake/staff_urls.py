"""The researchers' triage queue under /staff/tips/ (namespace `staff`, names prefixed tip_)."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.tip_list, name="tip_list"),
    path("<int:pk>/", staff_views.tip_detail, name="tip_detail"),
    path("<int:pk>/assign/", staff_views.tip_assign, name="tip_assign"),
    path("<int:pk>/status/", staff_views.tip_status, name="tip_status"),
    path("<int:pk>/note/", staff_views.tip_note, name="tip_note"),
    path("<int:pk>/create-incident/", staff_views.tip_create_incident, name="tip_create_incident"),
    path("<int:pk>/link-incident/", staff_views.tip_link_incident, name="tip_link_incident"),
    path("attachment/<int:pk>/", staff_views.tip_attachment, name="tip_attachment"),
]
