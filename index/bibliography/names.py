"""Personal and corporate names, and each style's way of listing them.

CSL splits a name into given, dropping particle ("van" in "Ludwig van
Beethoven", never shown before the family name when inverted), non-dropping
particle ("van der" in "Jan van der Berg", kept with the family name unless
a style demotes it) and family.  Corporate authors are ``literal`` and are
never inverted or abbreviated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from pinpoint.index.errors import InvalidCitationData


@dataclass(frozen=True)
class Name:
    family: str = ""
    given: str = ""
    particle: str = ""  # non-dropping
    dropping: str = ""
    literal: str = ""
    suffix: str = ""

    @property
    def is_corporate(self) -> bool:
        return bool(self.literal)

    @property
    def surname(self) -> str:
        """The name as cited in text: "van der Berg", "Beethoven", "Pacific Forum"."""
        if self.literal:
            return self.literal
        return " ".join(p for p in (self.particle, self.family) if p)


def display_name(name: dict[str, Any]) -> str:
    """A CSL name as a reader writes it, given name first: "Beina Xu", "Ludwig van Beethoven"."""
    if "literal" in name:
        return name["literal"]
    parts = [
        name.get("given"),
        name.get("dropping-particle"),
        name.get("non-dropping-particle"),
        name.get("family"),
        name.get("suffix"),
    ]
    return " ".join(p for p in parts if p)


def author_names(csl: dict[str, Any]) -> list[str]:
    """The item's authors family name first ("Xu, Beina"), as the author facet and field hold them."""
    names = []
    for person in csl.get("author") or []:
        if person.get("literal"):
            names.append(person["literal"])
        elif person.get("family"):
            given = person.get("given")
            names.append(f"{person['family']}, {given}" if given else person["family"])
    return names


def parse_names(value: Any, field: str) -> tuple[Name, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidCitationData(f"{field} must be a list of CSL names")
    names = []
    for entry in value:
        if isinstance(entry, str) and entry.strip():
            names.append(Name(literal=entry.strip()))
            continue
        if not isinstance(entry, dict):
            raise InvalidCitationData(f"{field}: each name must be an object, got {entry!r}")
        fields = {k: str(entry.get(k) or "").strip() for k in
                  ("family", "given", "non-dropping-particle", "dropping-particle", "literal", "suffix")}
        if fields["literal"]:
            names.append(Name(literal=fields["literal"]))
        elif fields["family"]:
            names.append(Name(fields["family"], fields["given"], fields["non-dropping-particle"],
                              fields["dropping-particle"], suffix=fields["suffix"]))
        elif fields["given"]:
            # A mononym ("Plato") is stated in given only by some tools; it is the name to cite.
            names.append(Name(literal=fields["given"]))
        else:
            raise InvalidCitationData(f"{field}: name without family, given or literal: {entry!r}")
    return tuple(names)


def initials(given: str, *, period: bool = True, spaced: bool = True) -> str:
    """"Jan Willem" -> "J. W."; "Jean-Paul" -> "J.-P."; NLM: "JW", "JP"."""
    out = []
    for word in given.split():
        pieces = [p for p in word.split("-") if p]
        letters = [p[0].upper() + ("." if period else "") for p in pieces]
        out.append(("-" if period else "").join(letters))
    return (" " if spaced and period else "").join(out)


def inverted(name: Name, given: str, *, demote_particle: bool = False) -> str:
    """Family first: "van der Berg, J." or, demoted, "Berg, Jan van der"."""
    if name.literal:
        return name.literal
    family = name.family if demote_particle else name.surname
    after = " ".join(p for p in (given, name.dropping, name.particle if demote_particle else "") if p)
    text = f"{family}, {after}" if after else family
    return f"{text}, {name.suffix}" if name.suffix else text


def natural(name: Name, given: str) -> str:
    """Given first: "Jan van der Berg", "L. van Beethoven"."""
    if name.literal:
        return name.literal
    text = " ".join(p for p in (given, name.dropping, name.particle, name.family) if p)
    return f"{text}, {name.suffix}" if name.suffix else text


def truncate(names: Sequence[Name], et_al_min: int, use_first: int) -> tuple[Sequence[Name], bool]:
    """The names a style lists, and whether "et al." follows them."""
    if len(names) >= et_al_min:
        return names[:use_first], True
    return names, False


def join(parts: Sequence[str], conjunction: str | None, *, serial_comma: bool, pair_comma: bool = False) -> str:
    """Joins formatted names: "A, B, and C" / "A, B & C" / "A, B, C" (no conjunction).

    ``pair_comma`` puts a comma before the conjunction even with two names, as
    APA ("Xu, B., & Lee, K.") and inverted Chicago/MLA first names require.
    """
    if len(parts) <= 1:
        return "".join(parts)
    if conjunction is None:
        return ", ".join(parts)
    if len(parts) == 2:
        return f"{parts[0]}{',' if pair_comma else ''} {conjunction} {parts[1]}"
    return f"{', '.join(parts[:-1])}{',' if serial_comma else ''} {conjunction} {parts[-1]}"


def listed(names: Sequence[Name], fmt: Callable[[int, Name], str], *, conjunction: str | None,
           serial_comma: bool, et_al_min: int, use_first: int, et_al: str = ", et al.",
           pair_comma: bool = False) -> str:
    """A whole author list in one style's shape, truncated by its et al. rule.

    ``et_al`` carries its own joiner: ", et al." (MLA, Chicago, Vancouver) or
    " et al." (Harvard, IEEE).
    """
    shown, cut = truncate(names, et_al_min, use_first)
    parts = [fmt(i, n) for i, n in enumerate(shown)]
    if cut:
        return f"{', '.join(parts)}{et_al}"
    return join(parts, conjunction, serial_comma=serial_comma, pair_comma=pair_comma)


def surnames_in_text(names: Sequence[Name], *, et_al_min: int, conjunction: str, serial_comma: bool) -> str:
    """Surnames for a parenthetical or short note: "Xu", "Xu and Lee", "Xu et al."."""
    if len(names) >= et_al_min:
        return f"{names[0].surname} et al."
    return join([n.surname for n in names], conjunction, serial_comma=serial_comma)


def with_first_initials(cited: str, first: Name) -> str:
    """"Taylor & Neimeyer" -> "J. M. Taylor & Neimeyer": the first author told apart from another
    author of the same surname (APA 7 8.20, CMOS 17 15.21; MLA and Cite Them Right when the citations would otherwise be the same)."""
    if first.literal or not first.given:
        return cited
    return f"{initials(first.given)} {cited}"

