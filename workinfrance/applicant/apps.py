from django.apps import AppConfig


class ApplicantConfig(AppConfig):
    name = "workinfrance.applicant"
