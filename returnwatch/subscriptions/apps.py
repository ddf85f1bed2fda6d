from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "returnwatch.subscriptions"
    label = "subscriptions"
    verbose_name = "Followed searches"
