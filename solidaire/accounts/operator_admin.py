"""Django's admin app, whose default site is the operator’s back office (accounts.operator).
Kept apart from accounts.apps: a module with two application configurations would leave Django
to guess which one is the accounts app’s."""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    default_site = "solidaire.accounts.operator.OperatorSite"
