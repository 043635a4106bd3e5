"""Exceptions raised for input the citation renderers cannot honour."""


class CitationError(ValueError):
    """Base for every bad-input error raised by ``pinpoint.service.citations``."""


class UnknownStyle(CitationError):
    """The style id is neither a built-in style nor a CSL style citeproc-py can load."""

    def __init__(self, style: str) -> None:
        from pinpoint.service.citations import STYLES  # the registry imports this module first

        self.style = style
        super().__init__(
            f"unknown citation style {style!r}; built-in styles: {', '.join(STYLES)}; "
            "or any CSL style id from the citation-style-language repository (e.g. 'nature')"
        )


class InvalidCitationData(CitationError):
    """The CSL-JSON item is malformed (not a dict, names that are not names...)."""


class InvalidLocator(CitationError):
    """A paragraph locator that cannot point anywhere (zero, negative, reversed range)."""


class InvalidExcerpt(CitationError):
    """An excerpt that cannot be quoted (empty once whitespace and quote marks are stripped)."""
