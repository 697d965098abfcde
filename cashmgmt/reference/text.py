"""A text the reference data gives in several languages, English always among them."""

from __future__ import annotations

from collections.abc import Mapping

import attrs


@attrs.frozen
class Localized:
    """One text per language, in the order the data file gives them."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, raw: Mapping[str, str]) -> Localized:
        """From a YAML mapping of language to text."""
        return cls(tuple((str(k), str(v)) for k, v in raw.items()))

    def get(self, language: str) -> str:
        """The text in `language`, else the English one."""
        texts = dict(self.texts)
        return texts.get(language) or texts["en"]

    def as_dict(self) -> dict[str, str]:
        """Language to text, in the file's order."""
        return dict(self.texts)
