"""The collectivité's side of the network (/gestion/entraide/): switching it on with its rules,
categories and neighbourhoods (admins: manage_branding), and the queue of posts waiting for
review (moderate). These pages answer even while the network is off: that is where it is
switched on."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.core.errors import ActionError

from . import actions, neighbourhoods
from .access import (
    get_category_for_admin,
    get_neighbourhood_for_admin,
    get_post_for_moderator,
    get_volunteer_for_moderator,
)
from .manage_forms import CategoryForm, NeighbourhoodForm, SettingsForm, VolunteerForm
from .models import Category, Moderation, MutualAidSettings, Neighbourhood, Post, Volunteer

QUEUE_SIZE = 25


@team_view(Capability.MANAGE_BRANDING)
def settings_page(request):
    network = MutualAidSettings.objects.filter(collectivite=request.tenant).first() or MutualAidSettings()
    form = SettingsForm(request.POST or None, instance=network)
    if request.method == "POST" and form.is_valid():
        actions.configure(
            collectivite=request.tenant,
            actor=request.user,
            **{field: form.cleaned_data[field] for field in actions.SETTINGS_FIELDS},
        )
        messages.success(request, _("The mutual-aid settings are saved."))
        return redirect("mutualaid:manage")
    return render(
        request,
        "mutualaid/manage/settings.html",
        {"form": form, "categories": Category.objects.filter(collectivite=request.tenant)},
        status=400 if request.method == "POST" else 200,
    )


def _category_form(request, category: Category, *, creating: bool):
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        actions.save_category(category=form.save(commit=False), actor=request.user)
        messages.success(request, _("The category is saved."))
        return redirect("mutualaid:manage")
    return render(
        request,
        "mutualaid/manage/category.html",
        {"form": form, "creating": creating},
        status=400 if request.method == "POST" else 200,
    )


@team_view(Capability.MANAGE_BRANDING)
def category_create(request):
    return _category_form(request, Category(collectivite=request.tenant), creating=True)


@team_view(Capability.MANAGE_BRANDING)
def category_edit(request, pk: int):
    return _category_form(request, get_category_for_admin(request, pk), creating=False)


def _save_neighbourhood(request, form) -> bool:
    """Saves the form's neighbourhood through the write path; False (the error on the form) when
    it refuses."""
    try:
        neighbourhoods.save_neighbourhood(neighbourhood=form.save(commit=False), actor=request.user)
    except ActionError as exc:
        field = {"commune": "commune_text"}.get(exc.field, exc.field)
        form.add_error(field if field in form.fields else None, exc.message)
        return False
    messages.success(request, _("The neighbourhood is saved."))
    return True


@team_view(Capability.MANAGE_BRANDING)
def neighbourhood_list(request):
    """The neighbourhoods of the network, and the form to add one."""
    form = NeighbourhoodForm(request.POST or None, instance=Neighbourhood(collectivite=request.tenant))
    if request.method == "POST" and form.is_valid() and _save_neighbourhood(request, form):
        return redirect("mutualaid:neighbourhoods")
    named = (
        Neighbourhood.objects.filter(collectivite=request.tenant)
        .select_related("commune")
        .annotate(post_count=Count("posts"))
    )
    return render(
        request,
        "mutualaid/manage/neighbourhoods.html",
        {"form": form, "neighbourhoods": named},
        status=400 if request.method == "POST" else 200,
    )


@team_view(Capability.MANAGE_BRANDING)
def neighbourhood_edit(request, pk: int):
    """Renames or moves a neighbourhood; deletes it when no post names it."""
    neighbourhood = get_neighbourhood_for_admin(request, pk)
    if request.method == "POST" and "delete" in request.POST:
        try:
            neighbourhoods.delete_neighbourhood(neighbourhood=neighbourhood, actor=request.user)
        except ActionError as exc:
            messages.error(request, exc.message)
            return redirect("mutualaid:neighbourhood_edit", pk=neighbourhood.pk)
        messages.success(request, _("The neighbourhood is deleted."))
        return redirect("mutualaid:neighbourhoods")
    form = NeighbourhoodForm(request.POST or None, instance=neighbourhood)
    if request.method == "POST" and form.is_valid() and _save_neighbourhood(request, form):
        return redirect("mutualaid:neighbourhoods")
    return render(
        request,
        "mutualaid/manage/neighbourhood.html",
        {"form": form, "neighbourhood": neighbourhood, "post_count": neighbourhood.posts.count()},
        status=400 if request.method == "POST" else 200,
    )


@team_view(Capability.MODERATE)
def moderation_queue(request):
    posts = (
        Post.objects.filter(collectivite=request.tenant, moderation=Moderation.PENDING)
        .select_related("category", "commune", "author")
        .order_by("created_at", "pk")
    )
    page = Paginator(posts, QUEUE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mutualaid/manage/moderation.html", {"page": page})


@require_POST
@team_view(Capability.MODERATE)
def moderate_post(request, pk: int):
    post = get_post_for_moderator(request, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose to approve or to reject the post."))
        return redirect("mutualaid:moderation")
    try:
        actions.decide_post(post=post, moderator=request.user, approve=decision == "approve")
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The post is approved.") if decision == "approve" else _("The post is rejected."))
    return redirect("mutualaid:moderation")


@team_view(Capability.MODERATE)
def volunteers(request):
    """The people the collectivité has vetted: they see requests in sensitive categories."""
    if request.method == "POST" and "remove" in request.POST:
        volunteer = get_volunteer_for_moderator(request, request.POST["remove"])
        actions.remove_volunteer(volunteer=volunteer, actor=request.user)
        messages.success(request, _("This person no longer sees sensitive requests."))
        return redirect("mutualaid:volunteers")
    form = VolunteerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.vet_volunteer(collectivite=request.tenant, user=form.user, actor=request.user)
        messages.success(request, _("This person now sees the requests in sensitive categories."))
        return redirect("mutualaid:volunteers")
    vetted = Volunteer.objects.filter(collectivite=request.tenant).select_related("user").order_by("user__email")
    return render(
        request,
        "mutualaid/manage/volunteers.html",
        {"form": form, "volunteers": vetted},
        status=400 if request.method == "POST" else 200,
    )
