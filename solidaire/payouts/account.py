"""The collectivité’s bank account that transfers leave from: one write path, with the IBAN and
BIC checked by schwifty (the SEPA file would otherwise be refused by the bank, or worse, the
money leave from an account nobody meant)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from schwifty import BIC
from schwifty.exceptions import SchwiftyException

from solidaire.audit.events import record
from solidaire.beneficiaries.validators import clean_iban as valid_iban
from solidaire.core.errors import ActionError

from .models import PainVersion, PayoutSettings


def clean_iban(value: str) -> str:
    """The IBAN compact, checked as the establishments' are (SEPA zone, check digits)."""
    try:
        return valid_iban(value)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="iban") from exc


def clean_bic(value: str, iban: str) -> str:
    try:
        bic = BIC(value)
    except (SchwiftyException, ValueError) as exc:
        raise ActionError(_("This BIC is not valid."), field="bic") from exc
    if bic.country_code != iban[:2] and iban[:2] not in {"MC", "GP", "MQ", "RE", "GF", "YT", "PM", "NC", "PF"}:
        raise ActionError(_("The BIC is that of a bank in another country than the IBAN’s."), field="bic")
    return str(bic)


@transaction.atomic
def save_account(*, collectivite, actor, debtor_name: str, iban: str, bic: str, pain_version: str) -> PayoutSettings:
    debtor_name = " ".join(debtor_name.split())
    if not debtor_name:
        raise ActionError(_("Give the account holder’s name, as the bank knows it."), field="debtor_name")
    if pain_version not in PainVersion.values:
        raise ActionError(_("Choose the SEPA file format your bank asks for."), field="pain_version")
    iban = clean_iban(iban)
    bic = clean_bic(bic, iban)
    account = PayoutSettings.objects.select_for_update().filter(collectivite=collectivite).first()
    before = {} if account is None else {f: getattr(account, f) for f in ("debtor_name", "iban", "bic", "pain_version")}
    after = {"debtor_name": debtor_name[:70], "iban": iban, "bic": bic, "pain_version": pain_version}
    if account is None:
        account = PayoutSettings(collectivite=collectivite)
    for name, value in after.items():
        setattr(account, name, value)
    account.save()
    changed = sorted(name for name in after if before.get(name) != after[name])
    if changed:
        record(
            collectivite=collectivite,
            actor=actor,
            action="payout.settings_changed",
            obj=account,
            data={"fields": changed, "iban_end": iban[-4:]},
        )
    return account
