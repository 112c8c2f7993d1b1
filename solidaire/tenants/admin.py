"""The platform operator’s back office (/operator/): create collectivités and their first admin."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets

from solidaire.accounts.models import Membership

from .actions import create_collectivite
from .forms import CollectiviteCreationForm
from .models import Collectivite, Domain


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["user", "role", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Collectivite)
class CollectiviteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "siren", "insee_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "siren", "insee_code"]
    exclude = ["communes"]
    add_fieldsets = [
        (None, {"fields": ["name", "kind", "slug", "siren", "insee_code", "main_colour", "contact_email"]}),
        ("Territory", {"fields": ["territory_departements", "territory_communes", "domains"]}),
        ("Administrator", {"fields": ["admin_email"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CollectiviteCreationForm
            kwargs["fields"] = flatten_fieldsets(self.add_fieldsets)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request, obj):
        return [DomainInline, MembershipInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            form.instance = create_collectivite(form=form, actor=request.user, request=request)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
