"""The only way a view reaches a conversation: through the request's collectivité, with the
network switched on, and only by its two participants — the post's author and the person who
answered. Anyone else, a team member included, gets 404 (a moderator will read one through a
report, item 5 of issue 12, never by browsing)."""

from django.db.models import Q
from django.http import Http404

from .access import get_network
from .models import Conversation


def my_conversations(request):
    """The signed-in person's conversations here, as the post's author or as who answered."""
    get_network(request)
    user = request.user
    return (
        Conversation.objects.filter(post__collectivite=request.tenant)
        .filter(Q(person=user) | Q(post__author=user))
        .select_related("post", "post__author", "person")
    )


def get_conversation_for_participant(request, pk: int) -> Conversation:
    """One of the person's conversations here; 404 for anyone else's."""
    try:
        return my_conversations(request).get(pk=pk)
    except Conversation.DoesNotExist as exc:
        raise Http404 from exc
