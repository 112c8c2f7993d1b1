import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-light form used for search ("Saint-Dié" → "saint die")."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in ascii_text.lower())
    return " ".join(cleaned.split())
