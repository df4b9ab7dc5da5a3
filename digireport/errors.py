"""The errors digireport raises on purpose; anything else is a bug."""


class DigireportError(Exception):
    """A failure the user can act on; its message is one line naming the file and the problem.

    `message` is a catalog message id with `{placeholders}` filled from `args`, so the command
    line can show it in the user's language with `localized()`.
    """

    exit_code = 2

    def __init__(self, message: str, **args: object):
        self.template = message
        self.params = args
        super().__init__(message.format(**args) if args else message)

    def localized(self, loc) -> str:
        return loc(self.template, **self.params)


class SourceError(DigireportError):
    """The master workbook cannot be read at all (format, safety, structure)."""


class TemplateError(DigireportError):
    """The deck template lacks a layout or placeholder the deck needs."""


class ConfigError(DigireportError):
    """The configuration file or environment is invalid."""


class StorageError(DigireportError):
    """Fetching from or publishing to storage failed (SharePoint, local folder)."""

    def __init__(self, message: str, status: int | None = None, **args: object):
        super().__init__(message, **args)
        self.status = status


class ConflictError(StorageError):
    """The master workbook changed on disk or on the server since it was read."""

    exit_code = 3


class LockedError(StorageError):
    """The master workbook is locked (open in Excel); the write-back must wait."""

    exit_code = 4

    def __init__(self, message: str, owner: str | None = None, **args: object):
        super().__init__(message, status=423, **args)
        self.owner = owner


class FindingsError(DigireportError):
    """Validation found errors in the master workbook."""

    exit_code = 1


class StoppedError(DigireportError):
    """The run was asked to stop (SIGTERM, systemctl stop, Ctrl-C) and stopped at a safe point."""

    exit_code = 143  # 128 + SIGTERM, as a shell reports a process ended by it
