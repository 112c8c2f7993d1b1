"""How a view reaches a batch, a line, a document or a statement import: through the request's
collectivité and the finance capability only (a batch of another collectivité is a 404)."""

from django.http import Http404

from solidaire.accounts.access import require_capability
from solidaire.accounts.roles import Capability
from solidaire.campaigns.models import Campaign

from .models import Batch, Document, Line, StatementImport


def get_batch_for_finance(request, pk: int) -> Batch:
    require_capability(request, Capability.FINANCE)
    batch = (
        Batch.objects.select_related(
            "campaign", "collectivite", "prepared_by", "approved_by", "sent_by", "cancelled_by"
        )
        .filter(pk=pk, collectivite=request.tenant)
        .first()
    )
    if batch is None:
        raise Http404
    return batch


def get_line_for_finance(request, batch: Batch, pk: int) -> Line:
    line = Line.objects.filter(pk=pk, batch=batch).first()
    if line is None:
        raise Http404
    return line


def get_document_for_finance(request, batch: Batch, kind: str) -> Document:
    document = Document.objects.filter(batch=batch, kind=kind).first()
    if document is None:
        raise Http404
    return document


def get_import_for_finance(request, pk: int) -> StatementImport:
    require_capability(request, Capability.FINANCE)
    found = StatementImport.objects.filter(pk=pk, collectivite=request.tenant).first()
    if found is None:
        raise Http404
    return found


def campaigns_for_finance(request):
    require_capability(request, Capability.FINANCE)
    return Campaign.objects.for_tenant(request.tenant).order_by("-starts_at", "pk")
