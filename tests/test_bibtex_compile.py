"""The exported BibTeX compiles: biblatex + biber + pdflatex accept every entry.

Needs TeX Live with biblatex, and biber (Debian: ``apt-get install
--no-install-recommends biber texlive-latex-base texlive-latex-recommended
texlive-bibtex-extra``); skips with that hint when any is absent, fails under CI.
"""

from __future__ import annotations

import pytest

from pinpoint.index.bibliography.bibtex import to_bibtex
from pinpoint.index.bibliography.keys import citation_keys

from tests.biblatex_harness import compile_bibliography

pytestmark = pytest.mark.slow

ITEMS = [
    {
        "id": "web",
        "type": "webpage",
        "title": "The NATO Summit and Europe's Plan",
        "author": [{"literal": "Pacific Forum"}, {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}],
        "issued": {"date-parts": [[2023, 7, 4]]},
        "accessed": {"date-parts": [[2024, 1, 2]]},
        "URL": "https://pacforum.org/pub/pacnet_12%20x?a=1&b=2#top",
        "publisher": "Pacific Forum",
    },
    {
        "id": "hostile",
        "type": "report",
        "title": "Costs of R&D: 100% of $5, #1 a_b {unbalanced ~x^2 back\\slash -- dash }} \"q\"",
        "author": [
            {"literal": "Smith & Sons {Ltd"},
            {"family": "Müller", "given": "Jörg"},
            {"family": "Žižek", "given": "Slavoj"},
            {"family": "Nguyễn", "given": "Văn An"},
        ],
        "issued": {"date-parts": [[2020, 2]]},
        "publisher": "Institute for 50% & More",
        "URL": "https://example.org/a_b%20c#frag{x} y",
        "note": "50% off \\ all $ # _ ^ ~",
    },
    {
        "id": "article",
        "type": "article-journal",
        "title": "Us and them in the iPhone era",
        "author": [{"family": "Xu", "given": "Li"}],
        "container-title": "Journal of Things & Stuff",
        "volume": "3",
        "issue": "2",
        "page": "10-20",
        "DOI": "10.1000/a_b.c%d",
        "issued": {"date-parts": [[2014, 3]]},
    },
    {"id": "twin", "type": "article-journal", "title": "Us", "author": [{"family": "Xu", "given": "Li"}], "issued": {"date-parts": [[2014]]}},
    {"id": "book", "type": "book", "title": "Undated", "author": [{"family": "Ōe", "given": "Kenzaburō"}], "publisher": "P"},
    {"id": "chapter", "type": "chapter", "title": "A chapter", "editor": [{"family": "Doe", "given": "J."}], "container-title": "A Book", "publisher": "Q"},
    {"id": "bare", "type": "webpage", "URL": "https://e.org/only_a_url"},
]


def test_export_compiles_with_biblatex_and_biber(tmp_path):
    keys = citation_keys(ITEMS)
    bbl = compile_bibliography(tmp_path, to_bibtex(ITEMS), keys).bbl
    # URLs reach biblatex verbatim: %, _ and # untouched.
    assert "https://pacforum.org/pub/pacnet_12%20x?a=1&b=2#top" in bbl
