from django.contrib import admin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Read-only for the operator: collectivités change campaigns in their own back office, where
    the rules and the audit log apply."""

    list_display = ["title", "collectivite", "status", "starts_at", "ends_at"]
    list_filter = ["status", "collectivite"]
    search_fields = ["title", "slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
