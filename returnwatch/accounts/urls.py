from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify_view, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account_view, name="account"),
    path("account/two-factor/", views.setup_view, name="two_factor_setup"),
    path("account/two-factor/qr.svg", views.setup_qr, name="two_factor_qr"),
    path("account/recovery-codes/", views.recovery_view, name="two_factor_recovery"),
]
