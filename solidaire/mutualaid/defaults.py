"""The categories a network starts with when it is switched on; the collectivité edits them."""

# (slug, French, English, German, sensitive)
CATEGORIES = (
    ("courses", "Courses", "Groceries", "Einkäufe", False),
    ("medicaments", "Médicaments", "Medicines", "Medikamente", False),
    ("garde-enfants", "Garde d’enfants", "Childcare", "Kinderbetreuung", True),
    ("appel-amical", "Appel amical / soutien", "Friendly call / support", "Freundlicher Anruf / Unterstützung", False),
    ("demarches", "Démarches administratives", "Paperwork", "Behördengänge", False),
    ("bricolage", "Bricolage", "Odd jobs", "Handwerkliches", False),
    ("transport", "Transport", "Transport", "Fahrdienste", False),
    ("autre", "Autre", "Other", "Sonstiges", False),
)
