from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "returnwatch.accounts"
    label = "accounts"
