"""Title case and sentence case for titles whose original casing we only guess at.

Sentence case (APA 6.17, Harvard, IEEE article titles, Vancouver) cannot be
made from title case without knowing which words are proper nouns, so no
capitalised word is ever lower-cased:

* the first word, and the first word after "?" or "!" (and after a colon or
  em dash where the style capitalises subtitles) are capitalised;
* a title whose content words are all capitalised (stored in title case) is
  kept as given and reported in a warning, so the user can recase it;
* a title in capitals is kept as given, with a warning.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"(\s+)")
_EDGE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.UNICODE)

ARTICLES = {"a", "an", "the"}
CONJUNCTIONS = {"and", "but", "for", "or", "nor", "yet", "so"}
# Prepositions that are rarely adverbs, with "over" and "till" (CSL 1.0.2's title-case
# stop words; CMOS 8.159 lowercases prepositions); "up", "out", "off" are left out
# because as adverbs ("Drifting Apart", "Set Up") title case capitalises them.
PREPOSITIONS = {
    "about", "above", "across", "after", "against", "along", "among", "around", "at", "before",
    "behind", "below", "beneath", "beside", "between", "beyond", "by", "despite", "during",
    "except", "from", "in", "inside", "into", "like", "of", "on", "onto", "per", "since",
    "than", "through", "throughout", "over", "till", "toward", "towards", "under", "until", "upon", "via",
    "with", "within", "without", "to", "as", "versus", "vs.",
}
MINOR_WORDS = ARTICLES | CONJUNCTIONS | PREPOSITIONS
# Words that may be lower-cased in sentence case without a warning.
FUNCTION_WORDS = MINOR_WORDS | {
    "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those",
    "we", "our", "you", "your", "they", "their", "he", "his", "she", "her", "who", "what",
    "why", "how", "when", "where", "which", "not", "no", "more", "most", "new", "again",
    "can", "will", "do", "does", "has", "have", "an", "if", "or", "all",
}
ALWAYS_CAPITALISED = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "I",
}
_APA_SHORT_MINOR = {w for w in MINOR_WORDS if len(w) <= 3} | {"off", "up", "if"}


def _split(word: str) -> tuple[str, str, str]:
    match = _EDGE.match(word)
    return match.group(1), match.group(2), match.group(3)


def _is_protected(core: str) -> bool:
    if core in ALWAYS_CAPITALISED or any(ch.isdigit() or ch in "._" for ch in core):
        return True
    for part in re.split(r"[-\u2013/]", core):
        letters = [ch for ch in part if ch.isalpha()]
        if len(letters) >= 2 and all(ch.isupper() for ch in letters):
            return True
        if any(ch.isupper() for ch in part[1:]):
            return True
    return False


def _is_plain_capitalised(core: str) -> bool:
    return bool(core) and core[0].isupper() and not _is_protected(core)


def _starts_segment(previous_tail: str, after_colon: bool) -> bool:
    if previous_tail.endswith(("?", "!")):
        return True
    return after_colon and previous_tail.endswith((":", "\u2014"))


def _capitalise_first(core: str) -> str:
    if "_" in core:
        return core  # an identifier ("non_lexical_lifetimes") is spelled, not cased
    return core[:1].upper() + core[1:]


def sentence_case(title: str, *, capitalise_after_colon: bool = True) -> tuple[str, tuple[str, ...]]:
    """Sentence case by the rule above; returns the title and any warnings.

    A capitalised word is never lower-cased: in a title stored in sentence
    case its capital is deliberate (a proper noun), and in a title stored in
    title case nothing tells "America" from "Security".  That is CSL's rule
    too (titles are stored in sentence case; processors do not lower-case
    them), so a title-case title is kept as given, with a warning.
    """
    tokens = _TOKEN.split(title.strip())
    words = [t for t in tokens if t and not t.isspace()]
    if not words:
        return title, ()
    letters = [ch for ch in title if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) / len(letters) > 0.8:
        return title.strip(), ("title is in capitals; left as given, recase it by hand",)
    out, previous_tail = [], ""
    for index, token in enumerate(tokens):
        if not token or token.isspace():
            out.append(token)
            continue
        lead, core, tail = _split(token)
        if index == 0 or _starts_segment(previous_tail, capitalise_after_colon):
            core = _capitalise_first(core)
        out.append(f"{lead}{core}{tail}")
        previous_tail = tail or core
    content = [_split(w)[1] for w in words[1:]]
    content = [c for c in content if c.isalpha() and c.lower() not in MINOR_WORDS]
    if content and all(_is_plain_capitalised(c) for c in content):
        return "".join(out), (
            "title is in title case: sentence case needs to know which words are proper nouns, "
            "so its capitals are kept as given; lower-case the common words by hand",
        )
    return "".join(out), ()


def title_case(title: str, *, minor_words: set[str] = MINOR_WORDS) -> str:
    """Chicago/MLA headline style: major words capitalised, minor words lower-cased.

    First and last words, and the first word after a colon, "?" or dash, are
    always capitalised; hyphenated compounds capitalise each part that is not
    a minor word.  Words with capitals inside ("iPhone", "U.S.") are kept.
    """
    tokens = _TOKEN.split(title.strip())
    positions = [i for i, t in enumerate(tokens) if t and not t.isspace()]
    if not positions:
        return title
    out, previous_tail = list(tokens), ""
    for index in positions:
        lead, core, tail = _split(tokens[index])
        force = index in (positions[0], positions[-1]) or previous_tail.endswith((":", "?", "!", "\u2014"))
        parts = core.split("-")
        cased = []
        for n, part in enumerate(parts):
            if any(ch.isupper() for ch in part[1:]) or not part or "_" in part:
                cased.append(part)
            elif part.lower() in minor_words and not (force and n == 0):
                cased.append(part.lower())
            else:
                cased.append(_capitalise_first(part))
        out[index] = f"{lead}{'-'.join(cased)}{tail}"
        previous_tail = tail or core
    return "".join(out)


def apa_title_case(title: str) -> str:
    """APA 7 title case (periodical and website names): minor words of three letters or fewer stay lower."""
    return title_case(title, minor_words=_APA_SHORT_MINOR)
