from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unseen.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
