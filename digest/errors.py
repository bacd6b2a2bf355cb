"""The few exception types a user can see. The CLI turns each into one line."""

from __future__ import annotations


class DigestError(Exception):
    """Base for errors that are the user's to fix; ``str(err)`` is the whole message."""

    exit_code = 1


class ConfigError(DigestError):
    """feeds.yaml is wrong; the message names file:line, the key and the fix."""

    exit_code = 2


class UsageError(DigestError):
    """A command-line option has a wrong value; the message names the option and the fix."""

    exit_code = 2


class StoreError(DigestError):
    """The database cannot be opened or is from a newer version."""


class SourceError(DigestError):
    """A local source (file or folder) cannot be read."""


class RenderError(DigestError):
    """An edition could not be rendered or written."""
