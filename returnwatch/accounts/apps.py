from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "returnwatch.accounts"
    label = "accounts"

    def ready(self) -> None:
        from returnwatch import security  # noqa: F401  (registers the deploy checks)

        from . import admin_site, signals, twofactor  # noqa: F401

        twofactor.install_storage()
