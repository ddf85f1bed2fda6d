from django.urls import path

from . import views

urlpatterns = [
    path("incidents/<str:reference>/evidence.zip", views.evidence_bundle, name="evidence_bundle"),
    path("audit/", views.audit_log, name="audit_log"),
]
