from django.contrib import admin

from .models import Commune, Departement, Region


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["insee_code", "name", "postal_codes", "departement", "population"]
    search_fields = ["insee_code", "search_name", "postal_codes"]
    list_filter = ["departement__region"]
