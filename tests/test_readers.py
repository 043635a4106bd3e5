"""Readers on real files: every format, every reason to skip, the big corpus streamed."""

from __future__ import annotations

import gzip
import itertools
import os
from pathlib import Path

import pytest

from pinpoint.index.ingest.clean import clean
from pinpoint.index.ingest.readers import (
    SAFE_ID,
    SUPPORTED_SUFFIXES,
    SkipFile,
    discover,
    iter_jsonl,
    make_safe_id,
    read_file,
)
from tests.prerequisites import dataset

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_supported_suffixes_cover_the_formats():
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz",
                                       ".txt.gz", ".html.gz", ".htm.gz", ".rst", ".tex", ".pdf"}


def test_seeds_read_as_text_with_their_file_names_as_ids():
    found = [item for item in discover([SEEDS])]
    files = [path for path, outcome in found if not isinstance(outcome, SkipFile)]
    assert [p.name for p in files] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for path in files:
        (raw,) = read_file(path, SEEDS)
        assert raw.id == path.stem and raw.fmt == "txt" and raw.path == path.name
        assert raw.text == path.read_text(encoding="utf-8")


def test_discovery_is_sorted_and_skips_unsupported_hidden_and_bib(tmp_path):
    for name in ("b.txt", "a.md", "c.docx", ".hidden.txt", "refs.bib", "sub/d.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("Some text.\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("hidden folder\n", encoding="utf-8")
    results = list(discover([tmp_path]))
    candidates = [p.relative_to(tmp_path).as_posix() for p, o in results if not isinstance(o, SkipFile)]
    skipped = {p.name: o.reason for p, o in results if isinstance(o, SkipFile)}
    assert candidates == ["a.md", "b.txt", "sub/d.html"]
    assert skipped == {"c.docx": "unsupported type .docx"}
    assert all(o == tmp_path.resolve() for p, o in results if not isinstance(o, SkipFile))


def test_symlink_leading_outside_the_root_is_skipped(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret text outside the sources.\n", encoding="utf-8")
    root = tmp_path / "sources"
    root.mkdir()
    (root / "inside.txt").write_text("Inside text.\n", encoding="utf-8")
    os.symlink(outside, root / "link.txt")
    os.symlink(root / "inside.txt", root / "alias.txt")
    results = dict(discover([root]))
    assert isinstance(results[root / "link.txt"], SkipFile)
    assert results[root / "link.txt"].reason == "symlink leads outside the sources folder"
    assert results[root / "alias.txt"] == root.resolve()


@pytest.mark.parametrize("name, reason", [
    ("empty.txt", "empty"), ("archive.txt", "binary"),
])
def test_unusable_files_are_skipped_with_a_reason(name, reason):
    with pytest.raises(SkipFile) as caught:
        read_file(FIXTURES / name, FIXTURES)
    assert caught.value.reason == reason


def test_whitespace_only_file_is_empty(tmp_path):
    (tmp_path / "blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    with pytest.raises(SkipFile, match="empty"):
        read_file(tmp_path / "blank.md", tmp_path)


def test_utf8_bom_is_accepted_and_removed():
    (raw,) = read_file(FIXTURES / "with_bom.txt", FIXTURES)
    assert raw.text.startswith("BOM text") and "\ufeff" not in raw.text


def test_crlf_line_ends_become_newlines(tmp_path):
    (tmp_path / "dos.txt").write_bytes(b"Title\r\n\r\nA paragraph.\r\n")
    (raw,) = read_file(tmp_path / "dos.txt", tmp_path)
    assert raw.text == "Title\n\nA paragraph.\n"


def test_markdown_front_matter_becomes_metadata():
    (raw,) = read_file(FIXTURES / "notes.md", FIXTURES)
    assert raw.fmt == "md" and not raw.text.startswith("---")
    assert raw.meta["title"] == "Notes on Tidal Energy"
    assert raw.meta["author"] == [{"family": "Rivers", "given": "Ada"}]
    assert raw.meta["issued"] == {"date-parts": [[2021, 3, 4]]}


def test_html_gives_article_text_and_stated_metadata_only():
    (raw,) = read_file(FIXTURES / "page.html", FIXTURES)
    assert raw.fmt == "html"
    assert "three generations of field scientists" in raw.text
    assert "Privacy policy" not in raw.text and "About us" not in raw.text
    assert raw.meta["title"] == "Glaciers in Retreat"
    assert raw.meta["author"] == [{"family": "Northwood", "given": "Sam"}]
    assert raw.meta["issued"] == {"date-parts": [[2019, 5, 3]]}
    assert raw.meta["container-title"] == "Polar Review"


def test_html_without_a_stated_date_gets_none(tmp_path):
    html = (FIXTURES / "page.html").read_text(encoding="utf-8")
    html = html.replace('<meta property="article:published_time" content="2019-05-03T10:00:00Z">', "")
    (tmp_path / "undated.htm").write_text(html, encoding="utf-8")
    (raw,) = read_file(tmp_path / "undated.htm", tmp_path)
    # The footer's "Copyright 2020" is not a publication date.
    assert "issued" not in raw.meta


@pytest.mark.parametrize("hidden", [
    '<div hidden><p>{}</p></div>',
    '<div aria-hidden="true"><p>{}</p></div>',
    '<div style="display: none"><p>{}</p></div>',
    '<div style="visibility:hidden"><p>{}</p></div>',
    # Shown only on a reader's action: a popover, a closed dialog, a hover card.
    '<div popover id="card"><p>{}</p></div>',
    '<dialog><p>{}</p></dialog>',
    '<div role="tooltip"><p>{}</p></div>',
])
def test_html_leaves_out_what_the_page_hides(tmp_path, hidden):
    secret = "This modal window can be closed by pressing the Escape key or activating the close button."
    html = (FIXTURES / "page.html").read_text(encoding="utf-8")
    first = html.index("<p>")
    html = html[:first] + hidden.format(secret) + html[first:]
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (raw,) = read_file(tmp_path / "page.html", tmp_path)
    assert "three generations of field scientists" in raw.text
    assert "Escape key" not in raw.text


@pytest.mark.parametrize("heading, control", [
    # MediaWiki's section-edit link, Sphinx's permalink, a Markdown renderer's empty anchor.
    ('<h2><span class="mw-headline" id="Examples">Examples</span><span class="mw-editsection">'
     '<span class="mw-editsection-bracket">[</span><a href="/w/index.php?action=edit&section=3">edit</a>'
     '<span class="mw-editsection-bracket">]</span></span></h2>', "[edit]"),
    ('<h2>Examples<a class="headerlink" href="#examples" title="Permalink to this heading">¶</a></h2>', "¶"),
])
def test_html_headings_lose_the_controls_publishing_software_adds(tmp_path, heading, control):
    prose = "".join(f"<p>Paragraph {n} of the article explains at some length how a matrix equal to its "
                    "own conjugate transpose has real eigenvalues, and why that matters.</p>" for n in range(4))
    (tmp_path / "page.html").write_text(
        f"<html><head><title>Matrices</title></head><body><article><h1>Matrices</h1>{prose}{heading}{prose}"
        "</article></body></html>", encoding="utf-8")
    (raw,) = read_file(tmp_path / "page.html", tmp_path)
    headings = [block.text for block in clean(raw).blocks if block.kind == "heading"]
    assert headings == ["Examples"], control


@pytest.mark.parametrize("element, hidden", [
    ('<div hidden>x</div>', True), ('<div aria-hidden="true">x</div>', True),
    ('<div aria-hidden="false">x</div>', False), ('<div style="display: none">x</div>', True),
    ('<div style="visibility:hidden">x</div>', True), ('<div style="display:block">x</div>', False),
    ('<div popover>x</div>', True), ('<dialog>x</dialog>', True), ('<dialog open>x</dialog>', False),
    ('<div role="tooltip">x</div>', True), ('<div role="note">x</div>', False),
])
def test_what_the_markup_hides_is_one_rule_for_trafilatura_and_for_pinpoints_readers(element, hidden):
    # HIDDEN_XPATH (pruned before trafilatura reads) and is_hidden (titles, bylines) state the
    # same rules, one as XPath and one per element on a hot path: they must not drift apart.
    # The hiding classes are is_hidden's alone (see page_markup).
    from pinpoint.index.ingest.page_markup import HIDDEN_XPATH, is_hidden, parse

    tree = parse(f"<html><body><p>Text.</p>{element}</body></html>")
    target = tree.find("body")[1]
    pruned = any(target in tree.xpath(xpath) for xpath in HIDDEN_XPATH)
    assert is_hidden(target) is hidden and pruned is hidden


def test_html_keeps_a_list_that_the_density_filter_would_prune(tmp_path):
    # An essay laid out in a table quotes the replies it got as a list; trafilatura's default
    # read prunes the list as link-and-list furniture, its recall-favouring read keeps it.
    essay = "".join(f"<p>Paragraph {n} of the essay explains at some length how the playback setup "
                    "failed again on the old machine, and what was tried next to fix it.</p>" for n in range(6))
    replies = "".join(f'<li>"Reply number {n}: you should have used another distribution instead, '
                      'obviously."</li>' for n in range(7))
    (tmp_path / "essay.html").write_text(
        f"<html><head><title>Essay</title></head><body><div><table><tr><td>{essay}"
        f"<p>The replies fell into a few kinds:</p><ul>{replies}</ul>{essay}</td></tr></table></div>"
        "</body></html>", encoding="utf-8")
    (raw,) = read_file(tmp_path / "essay.html", tmp_path)
    assert all(f"Reply number {n}:" in raw.text for n in range(7))
    assert "Paragraph 5 of the essay" in raw.text


def test_jsonl_one_source_per_line_and_bad_lines_reported():
    sources = read_file(FIXTURES / "corpus.jsonl", FIXTURES)
    assert [s.id for s in sources] == ["essay-one", "essay-two-unicode"]
    first = sources[0]
    assert first.meta == {
        "title": "On Walking",
        "author": [{"family": "Example", "given": "Henry"}, {"family": "Other", "given": "Ann"}],
        "issued": {"date-parts": [[1862, 6]]},
        "publisher": "Example Press",
    }
    reasons = {s.line: s.reason for s in sources.skipped}
    assert set(reasons) == {2, 3, 5, 6, 7}
    assert reasons[2].startswith("not valid JSON")
    assert reasons[3] == "no id" and reasons[7] == "no text"
    assert "already used" in reasons[5] and "safe id" in reasons[6]


def test_gzipped_jsonl(tmp_path):
    sources = read_file(FIXTURES / "corpus.jsonl.gz", FIXTURES)
    assert [s.id for s in sources] == ["book0", "book1", "book2"]
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n' * 50)[:40])
    with pytest.raises(SkipFile, match="cannot read"):
        read_file(broken, tmp_path)


@pytest.mark.parametrize("given, expected", [
    ("000_f5cc0b5bea89428d", "000_f5cc0b5bea89428d"),
    ("Café au lait", "Cafe-au-lait"),
    ("../../etc/passwd", "etc-passwd"),
    ("x" * 300, "x" * 128),
])
def test_ids_are_made_safe(given, expected):
    assert make_safe_id(given) == expected
    assert SAFE_ID.fullmatch(expected)


@pytest.mark.parametrize("given", ["", "日本語", "---", "..."])
def test_ids_that_cannot_be_made_safe_are_refused(given):
    with pytest.raises(SkipFile, match="safe id"):
        make_safe_id(given)


@pytest.mark.dataset
def test_gutenberg_corpus_streams_books():
    GUTENBERG = dataset("gutenberg") / "books.jsonl.gz"
    skipped = []
    books = list(itertools.islice(iter_jsonl(GUTENBERG, GUTENBERG.parent, skipped.append), 3))
    assert len(books) == 3 and not skipped
    for book in books:
        assert SAFE_ID.fullmatch(book.id) and book.meta.get("title") and len(book.text) > 10_000


# Publication dates (pinpoint.index.ingest.page_dates): each page below states
# its publication day beside other dates that are not it.
_ARTICLE = "".join(f"<p>Paragraph {n} of the article tells how the river delta changed over the decades, "
                   "with enough words to be read as the page's article and not as furniture.</p>"
                   for n in range(6))


def _page_date(tmp_path, head: str = "", before: str = "", after: str = "") -> list | None:
    html = (f"<html><head><title>Delta</title>{head}</head><body>{before}"
            f"<article><h1>Delta</h1>{_ARTICLE}</article>{after}</body></html>")
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (raw,) = read_file(tmp_path / "page.html", tmp_path)
    return (raw.meta.get("issued") or {}).get("date-parts")


def test_html_modified_date_is_never_the_publication_date(tmp_path):
    head = '<meta property="og:updated_time" content="2020-06-02T11:57:06+02:00">'
    before = '<time class="created">31.03.2020</time>'
    assert _page_date(tmp_path, head, before) == [[2020, 3, 31]]


def test_html_date_published_of_the_article_not_of_comments_or_navigation(tmp_path):
    before = ('<nav><time class="nav-top--date">Mittwoch, 8. Juli 2020</time></nav>'
              '<div itemscope itemtype="http://schema.org/NewsArticle">'
              '<span itemprop="datePublished" content="2020-04-27T18:50:24+02:00">27.04.2020 - 18:50 Uhr</span>'
              '</div>')
    after = ('<ul><li itemprop="comment" itemscope itemtype="http://schema.org/Comment">'
             '<time itemprop="datePublished" content="2020-04-28T10:27:29+0200">28.04.2020</time></li></ul>')
    head = '<meta itemprop="dateModified" content="2020-08-29">'
    assert _page_date(tmp_path, head, before, after) == [[2020, 4, 27]]


def test_html_named_publication_date_wins_over_other_date_stamps(tmp_path):
    head = ('<meta name="analyticsAttributes.articleDate" content="2020-01-20T09:49:32Z">'
            '<meta property="og:article:published_time" content="2020-01-19T12:25:36Z">'
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2020-01-19T12:25:36Z", "dateModified": "2020-01-20T09:49:32Z"}</script>')
    assert _page_date(tmp_path, head) == [[2020, 1, 19]]


def test_html_date_is_the_publishers_local_day(tmp_path):
    # The same instant in UTC and in the publisher's zone: the publisher's day is the 3rd.
    head = '<meta property="article:published_time" content="2022-05-04T03:37:37+00:00">'
    before = '<time class="entry-date" datetime="2022-05-03T23:37:37-04:00">3 May, 2022, 11:37 pm</time>'
    assert _page_date(tmp_path, head, before) == [[2022, 5, 3]]


def test_html_utc_stamp_takes_the_day_of_the_same_instant_in_local_time(tmp_path):
    head = '<meta property="article:published_time" content="2023-11-09T05:30:59+00:00">'
    before = '<time datetime="2023-11-08 23:30:59">November 8, 2023 at 11:30 p.m.</time>'
    assert _page_date(tmp_path, head, before) == [[2023, 11, 8]]


def test_html_utc_stamp_takes_the_day_of_the_permalink(tmp_path):
    head = ('<link rel="canonical" href="https://news.example/2020/02/24/delta-changes/">'
            '<meta property="article:published_time" content="2020-02-25T02:25:54+00:00">')
    assert _page_date(tmp_path, head) == [[2020, 2, 24]]


def test_html_permalink_date_does_not_override_a_stated_publication_date(tmp_path):
    head = ('<link rel="canonical" href="https://news.example/2022/05/02/delta-changes/">'
            '<meta property="article:published_time" content="2022-05-08T06:00:00-05:00">')
    assert _page_date(tmp_path, head) == [[2022, 5, 8]]


def test_html_publication_dates_that_disagree_give_none(tmp_path):
    head = ('<meta property="article:published_time" content="2019-12-12T21:17:43+01:00">'
            '<script type="application/ld+json">{"@type": "BlogPosting", '
            '"datePublished": "2019-12-09T22:25:10+01:00"}</script>')
    assert _page_date(tmp_path, head) is None


def test_html_disagreeing_dates_are_settled_by_the_day_the_page_shows(tmp_path):
    head = ('<meta property="article:published_time" content="2021-12-06">'
            '<script type="application/ld+json">{"@type": "Article", '
            '"datePublished": "2022-12-15T08:00:00+01:00"}</script>')
    before = '<time datetime="2022-12-15">15. Dezember 2022</time>'
    assert _page_date(tmp_path, head, before) == [[2022, 12, 15]]


def test_html_embedded_video_date_is_not_the_pages(tmp_path):
    head = ('<script type="application/ld+json">{"@type": "VideoObject", "datePublished": "2022-05-11"}</script>'
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2022-05-10T23:35:55"}</script>')
    assert _page_date(tmp_path, head) == [[2022, 5, 10]]


def test_html_bare_date_meta_is_not_the_publication_date(tmp_path):
    # Dublin Core's "date" is any date in the page's life (here: when the CMS last built it).
    head = '<meta name="date" content="2020-02-12">'
    before = '<div class="news-single-timedata">05.02.2020 - Redaktion</div>'
    assert _page_date(tmp_path, head, before) == [[2020, 2, 5]]


def test_html_dates_of_comments_and_navigation_are_not_the_pages(tmp_path):
    before = '<nav><span class="date">Mittwoch, 8. Juli 2020</span></nav><p class="entry-date">16.08.2019</p>'
    after = ('<div class="comments"><div class="comment-meta"><time datetime="2019-08-24T03:36:11+02:00">'
             '24. August 2019 um 03:36 Uhr</time></div><p>Great episode!</p></div>')
    assert _page_date(tmp_path, before=before, after=after) == [[2019, 8, 16]]


@pytest.mark.parametrize("footer", [
    '<p class="footer">Letzte Änderung: 31.10.2023 - 14:49:39</p>',
    '<footer><ul><li id="footer-info-lastmod"> This page was last modified on 4 November 2020, at 19:23.</li></ul></footer>',
    '<p class="date">Updated: 2023-11-03</p>',
])
def test_html_a_line_dating_the_last_change_is_not_the_publication_date(tmp_path, footer):
    assert _page_date(tmp_path, after=footer) is None
    # The page's own dateline still counts beside it.
    assert _page_date(tmp_path, before='<p class="entry-date">16.08.2019</p>', after=footer) == [[2019, 8, 16]]


def test_html_utc_stamp_takes_the_day_the_page_shows_for_that_instant(tmp_path):
    # 00:44 UTC shown as 21:44 the evening before (UTC-3); the instant settles the day-first order too.
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2022-05-04T00:44:52Z"}</script>')
    before = '<ul><li>03/05/2022 21:44</li></ul>'
    assert _page_date(tmp_path, head, before) == [[2022, 5, 3]]


def test_html_bare_date_meta_stands_when_the_page_shows_no_date_of_its_own(tmp_path):
    assert _page_date(tmp_path, '<meta name="date" content="2011-07-25">') == [[2011, 7, 25]]


def test_html_disagreeing_dates_are_settled_by_the_dateline_the_page_shows(tmp_path):
    head = ('<meta property="article:published_time" content="2021-12-14T15:41:07+01:00">'
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2022-02-04T15:33:00+01:00"}</script>')
    before = '<p class="byline">Von Redaktion | <span class="date">04.02.2022</span></p>'
    assert _page_date(tmp_path, head, before) == [[2022, 2, 4]]


@pytest.mark.parametrize("stamp", ["9999-12-31T23:30:00Z", "0001-01-01T00:10:00Z", "2020-01-19T23:30:00+99:99",
                                   "Sun, 31 Dec 9999 23:59:59 GMT", "2020-02-30", "32.13.2020", ""])
def test_html_unreadable_or_extreme_dates_never_break_reading(tmp_path, stamp):
    head = (f'<meta property="article:published_time" content="{stamp}">'
            f'<script type="application/ld+json">{{"@type": "Article", "datePublished": "{stamp}"}}</script>')
    before = f'<time datetime="{stamp}">{stamp}</time><p>01/01/0001 00:10</p>'
    _page_date(tmp_path, head, before)


def test_html_text_left_loose_beside_blocks_is_a_paragraph(tmp_path):
    # A reader sees a paragraph after the figure; trafilatura's own read dropped text that sits
    # loose in a div beside blocks, and the readability fallback that kept it kept the page's
    # story stream with it.
    prose = "".join(f"<p>Paragraph {n} of the story explains at some length what the photographer said "
                    "about the flag, and what her clients had asked for.</p>" for n in range(3))
    loose = ("The Federal Flag Code has guidelines for the proper treatment of the flag but there are "
             'no rules for punishment. In the past, the <a href="/court">Supreme Court</a> has protected it.')
    (tmp_path / "page.html").write_text(
        f"<html><head><title>Flag</title></head><body><section class='story'><div class='body'>{prose}"
        f"<div class='figure'><figure><img src='a.jpg' alt='x'></figure><p>Jane Doe</p></div>{loose}"
        f"{prose}</div></section></body></html>", encoding="utf-8")
    (raw,) = read_file(tmp_path / "page.html", tmp_path)
    paragraphs = [block.text for block in clean(raw).blocks if block.kind == "paragraph"]
    assert any(p.startswith("The Federal Flag Code") and p.endswith("has protected it.") for p in paragraphs)
