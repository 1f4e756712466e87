from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unseen.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from . import throttling  # noqa: F401  (counts failed sign-ins)
