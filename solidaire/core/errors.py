class ActionError(Exception):
    """A write path refused a change. `message` is translated and safe to show to the user;
    `field` names the form field it belongs to, if any. Nothing was changed."""

    def __init__(self, message, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
