"""Lists of teasers for other stories are not the article (``pinpoint.index.ingest.teaser_lists``).

Each case is a small page read as any saved page is (``read_file`` on a file,
then ``clean``): a row of cards pointing to other stories goes, while lists
that are the article's own (a link blog's links, a listicle whose items are
linked headings, a table of contents) stay.
"""

from __future__ import annotations

from pinpoint.index.ingest.clean import clean
from pinpoint.index.ingest.page_markup import parse
from pinpoint.index.ingest.readers import read_file
from pinpoint.index.ingest.teaser_lists import drop_teaser_lists

ARTICLE = [
    "The harbour board voted on Tuesday to close the old ferry pier, ending a crossing that has run "
    "since the town was founded and that many older residents still use every morning.",
    "Engineers told the board that the timber piles under the pier had rotted far faster than anyone "
    "expected, and that a single winter storm could now bring the whole deck down.",
    "Repairing the pier would cost about four times what the board spends on the harbour in a year, "
    "and no grant the town has applied for would cover more than a fraction of it.",
    "A smaller floating landing will be built beside the fish market, where the water is deeper and "
    "the ferry can tie up without waiting for the tide to turn.",
    "Residents who spoke at the meeting asked that the old pier be kept as a walkway, and the board "
    "agreed to ask the engineers whether the landward end could be saved.",
    "The ferry company said timetables would not change, although the walk from the bus stop to the "
    "new landing is about five minutes longer than the walk to the old pier.",
    "Fishermen who land their catch at the old pier will be offered berths at the market quay, which "
    "the board says has room for every boat now using the pier.",
    "A public meeting on the design of the new landing is planned for the spring, and drawings will be "
    "shown in the library for a month before it.",
    "The board will meet again next month to choose a builder for the landing, and says work could "
    "begin before the summer crowds arrive in the harbour.",
    "Until then the old pier stays open on calm days only, with a member of the harbour staff on the "
    "landing to help passengers on and off the boat.",
]

STORIES = [
    ("Bakery on Mill Street reopens after the flood",
     "The owners spent four months drying out the ovens and rebuilding the shop floor before opening "
     "their doors again this week."),
    ("Council delays the vote on the new cycle lanes",
     "Members asked for another survey of traffic on the coast road before deciding where the lanes "
     "should run."),
    ("School choir wins the regional competition",
     "Forty pupils sang in the final at the cathedral, and their teacher says the prize money will pay "
     "for new music stands."),
    ("Lifeboat crew rescues two walkers cut off by the tide",
     "The pair had walked out to the island at low water and did not notice the sea coming in behind "
     "them until it was too late."),
    ("Market traders ask for longer opening hours in summer",
     "Stallholders say visitors arrive after the market has closed and would buy more if it stayed "
     "open into the evening."),
]


ABOUT = ("I write about the harbour, its boats and the people who work on them. "
         "I have lived in the town for thirty years and sailed from the old pier for most of them. "
         "This site has no advertising and no sponsors; it is paid for by its readers. ")


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>Harbour news</title></head><body>{body}</body></html>"


def _paragraphs(texts) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def _cards(stories, href=lambda i: f"/news/story-{i}.html") -> str:
    return "".join(
        f'<div class="card"><a href="{href(i)}"><img src="/img/{i}.jpg" alt=""></a>'
        f'<h3><a href="{href(i)}">{title}</a></h3><p>{summary}</p></div>'
        for i, (title, summary) in enumerate(stories))


def _read(tmp_path, html: str) -> str:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    (raw,) = read_file(path, tmp_path)
    return clean(raw).text


def test_a_stream_of_other_stories_after_the_article_is_dropped(tmp_path):
    # Fifteen cards after a ten-paragraph story, in the story's column: they hold more words
    # than the story, and without the rule trafilatura's readability fallback keeps them.
    stream = _cards(STORIES * 3)
    body = (f'<div class="main"><h1>Old ferry pier to close</h1><div class="text">{_paragraphs(ARTICLE)}</div>'
            f'<div class="stream">{stream}</div></div>')
    text = _read(tmp_path, _page(body))
    for paragraph in ARTICLE:
        assert paragraph in text
    for _, summary in STORIES:
        assert summary not in text


def test_cards_holding_most_of_the_page_are_the_page(tmp_path):
    # An archive page: posts' cards beside a short "about" box, and no article of its own.
    about = _paragraphs([ABOUT] * 3)
    body = f'<main><h1>March</h1><div class="posts">{_cards(STORIES * 2)}</div></main><aside>{about}</aside>'
    tree = parse(_page(body))
    assert drop_teaser_lists(tree) == 0
    assert len(tree.xpath('//div[@class="card"]')) == 2 * len(STORIES)


LINKS = [
    ("Why old harbours silt up, and what dredging can and cannot do",
     "A long, patient explainer from a coastal engineer; the diagrams alone are worth the visit."),
    ("The ferrymen of the northern isles: an oral history",
     "Recorded interviews with the last crews who rowed the crossing before the engines came."),
    ("How timber piles rot below the waterline",
     "Shipworm, fungi and the tide: a short paper that explains our pier's troubles exactly."),
    ("A town that turned its closed pier into a park",
     "Photographs of a walkway built on the landward end of a pier much like ours."),
    ("What a floating landing costs to build and keep",
     "Figures from three small ports, with the maintenance bills most reports leave out."),
]

def test_a_link_blogs_list_of_links_is_the_article_and_stays(tmp_path):
    links = "".join(f'<li><h3><a href="https://elsewhere{i}.example/post">{title}</a></h3>'
                    f"<p>{note}</p></li>" for i, (title, note) in enumerate(LINKS))
    post = (f'<article><h1>Links for the week</h1><p>Five things worth reading.</p>'
            f'<ul class="links">{links}</ul></article>')
    # The sidebar's paragraphs outweigh the notes: its block, not the post, reads as the page's prose.
    sidebar = _paragraphs([ABOUT] * 3)
    text = _read(tmp_path, _page(f'<div class="main">{post}<aside class="about">{sidebar}</aside></div>'))
    for title, note in LINKS:
        assert note in text
        assert title in text


def test_a_listicle_whose_items_are_linked_headings_stays(tmp_path):
    # The items sit in the story's text between its paragraphs: they are the story.
    items = "".join(f'<div class="entry"><h2><a href="/reviews/{i}.html">{i + 1}. {title}</a></h2>'
                    f"<p>{summary}</p></div>" for i, (title, summary) in enumerate(STORIES))
    body = (f'<article><h1>Five stories that made the year</h1><div class="story-text">{_paragraphs(ARTICLE[:-1])}'
            f'<div class="entries">{items}</div>{_paragraphs(ARTICLE[-1:])}</div></article>')
    text = _read(tmp_path, _page(body))
    for _, summary in STORIES:
        assert summary in text


CHAPTERS = [
    ("Installing the tools you need", "What to download, and how to check that it works on your machine."),
    ("Writing your first harbour chart", "A small chart from start to finish, explained line by line."),
    ("Tides, depths and soundings", "How the chart stores depths, and why they change with the tide."),
    ("Printing and sharing charts", "Paper sizes, scales and the formats other sailors can open."),
]


def test_a_table_of_contents_stays(tmp_path):
    contents = "".join(f'<li><a href="#part-{i}">{title}</a><p>{summary}</p></li>'
                       for i, (title, summary) in enumerate(CHAPTERS))
    sections = "".join(f'<h2 id="part-{i}">{title}</h2><p>{ARTICLE[i]}</p><p>{ARTICLE[i + 1]}</p>'
                       for i, (title, _) in enumerate(CHAPTERS))
    body = f'<main><h1>A guide to harbour charts</h1><ol class="contents">{contents}</ol>{sections}</main>'
    text = _read(tmp_path, _page(body))
    for title, summary in CHAPTERS:
        assert summary in text


def test_contents_beside_the_article_are_no_teaser_list():
    # A sidebar of chapters (an mdBook's) and an "on this page" list of anchors: links to read
    # on, not other stories' cards.
    chapters = "".join(f'<li><a href="chapter-{i}.html">{i + 1}. {title}</a></li>'
                       for i, (title, _) in enumerate(CHAPTERS))
    anchors = "".join(f'<li><a href="#part-{i}">{title}</a><p>{summary}</p></li>'
                      for i, (title, summary) in enumerate(CHAPTERS))
    body = (f'<nav class="sidebar"><ol class="chapter">{chapters}</ol></nav>'
            f'<article>{_paragraphs(ARTICLE)}</article><aside class="on-this-page"><ol>{anchors}</ol></aside>')
    tree = parse(_page(body))
    assert drop_teaser_lists(tree) == 0
    assert len(tree.xpath("//li")) == 2 * len(CHAPTERS)


def test_a_page_without_an_article_is_left_alone():
    # A section front: a few short blurbs, each in its own box, beside a row of cards.  No
    # block of prose amounts to an article, so there is nothing to tell the cards from.
    boxes = "".join(f'<div class="box">{_paragraphs(ARTICLE[i:i + 2])}</div>' for i in range(0, 8, 2))
    tree = parse(_page(f'<div class="front">{boxes}<div class="row">{_cards(STORIES)}</div></div>'))
    assert drop_teaser_lists(tree) == 0
    assert len(tree.xpath('//div[@class="card"]')) == len(STORIES)


def test_unusable_links_never_stop_a_read():
    # "http://[name]" makes urlsplit raise; a card holding one is simply no teaser.
    cards = _cards(STORIES, href=lambda i: f"http://[not-an-address-{i}]/")
    tree = parse(_page(f'<div><div class="text">{_paragraphs(ARTICLE)}</div><div>{cards}</div></div>'))
    assert drop_teaser_lists(tree) == 0
