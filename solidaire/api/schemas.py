from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.core.validators import ProhibitNullCharactersValidator
from ninja import Schema
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError


def _without_null_characters(value: str) -> str:
    """PostgreSQL can neither store nor compare text holding a NUL character: refused as
    Django's forms refuse it, with Django's words."""
    if "\x00" in value:
        raise PydanticCustomError("null_characters", str(ProhibitNullCharactersValidator.message))
    return value


Text = Annotated[str, AfterValidator(_without_null_characters)]
"""Every text the API reads (body, query) is a Text, never a plain str."""


class CampaignOut(Schema):
    slug: str
    title: str
    summary: str
    status: str
    phase: str
    starts_at: datetime
    ends_at: datetime
    min_gift_cents: int
    max_gift_cents: int
    suggested_gifts_cents: list[int]
    matching_ratio: float = Field(description="Public money added per unit given: 1.0 doubles each gift.")
    matching_ratio_percent: int
    matching_budget_cents: int
    matching_used_cents: int
    matching_reserved_cents: int
    matching_left_cents: int
    beneficiary_cap_cents: int | None
    donor_limit_cents: int | None
    gifts_total_cents: int
    gifts_count: int
    donors_count: int


class BeneficiaryOut(Schema):
    id: int = Field(description="Establishment id, used in the gift URL.")
    name: str
    category: str
    commune: str
    commune_insee_code: str
    postal_code: str
    counterpart: str
    gifts_count: int
    gifts_total_cents: int
    matching_total_cents: int
    url: str


class BeneficiaryPage(Schema):
    count: int
    page: int
    pages: int
    results: list[BeneficiaryOut]


class CategoryRef(Schema):
    slug: str
    label: str = Field(description="In the request's language (Accept-Language), else French.")


class CommuneRef(Schema):
    code: str = Field(description="INSEE code.")
    name: str


class MutualAidPostOut(Schema):
    id: int
    kind: str = Field(description="request or offer.")
    category: CategoryRef
    title: str
    text: str
    urgency: str = Field(description="today, week or whenever.")
    commune: CommuneRef
    neighbourhood: str | None = Field(
        description="The name of the neighbourhood of the commune (defined by the collectivité) the post gives, if any."
    )
    latitude: float | None = Field(
        description=(
            "Approximate: the commune's (or neighbourhood's) centre displaced once, at random, for this post. "
            "Never an address."
        )
    )
    longitude: float | None = Field(description="Approximate, like latitude.")
    on_behalf: bool = Field(description="Posted on behalf of someone else (a relative, a social worker).")
    created_at: datetime


class MutualAidPostPage(Schema):
    count: int
    page: int
    pages: int
    results: list[MutualAidPostOut]


class GiftIn(Schema):
    amount_cents: int = Field(description="Within the campaign’s minimum and maximum gift.")
    email: Text = Field(max_length=254, description="For the receipt; never shown to anyone.")
    donor_name: Text = Field("", max_length=120)
    public_message: Text = Field("", max_length=280)
    anonymous: bool = False
    contact_consent: bool = False
    voucher_reminder: bool = False
    language: Text = Field("fr", pattern="^(fr|en|de)$")
    return_url: Text = Field("", description="Optional. Unused: the donor returns to the gift's page on this site.")


class GiftCreated(Schema):
    gift_id: UUID
    token: str = Field(description="Secret: needed to read the gift with GET /api/v1/gifts/{gift_id}?token=…")
    status: str
    amount_cents: int
    checkout_url: str
    match_promised_cents: int
    match_note: str
    reservation_expires_at: datetime | None


class GiftOut(Schema):
    gift_id: UUID
    status: str
    amount_cents: int
    currency: str
    match_promised_cents: int
    match_cents: int
    match_note: str
    reservation_expires_at: datetime | None
    beneficiary_id: int
    campaign: str
    created_at: datetime
    confirmed_at: datetime | None


class Error(Schema):
    detail: str
    field: str | None = None
    code: str | None = None
