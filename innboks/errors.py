"""Errors the command line reports as one line and a non-zero exit."""


class CliError(Exception):
    """A problem with the user's input or environment; the message is shown as is."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
