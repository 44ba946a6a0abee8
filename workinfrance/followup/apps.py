from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """The follow-up the original team did by hand: alerts and their daily digest, monthly reports,
    renewal follow-up and reminders."""

    name = "workinfrance.followup"
