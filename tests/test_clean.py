"""Cleaning on the real seeds and on pages written for these tests.

The boilerplate lists below are what a careful reader of each seed marks as
page furniture; the sentence test checks the other direction: nothing an
author wrote is lost.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pinpoint.index.ingest.boilerplate import furniture_kind, split_byline_prefix, trim_trailing_furniture
from pinpoint.index.ingest.clean import clean, is_wrapped, strip_inline_markdown
from pinpoint.index.ingest.readers import read_file
from pinpoint.index.records import RawSource

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
FIXTURES = Path(__file__).parent / "fixtures" / "sources"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

BOILERPLATE = {
    "000": ["The Debate", "Recent Features", "Dreaming of a career in the Asia-Pacific?",
            "Try The Diplomat's jobs board.", "Find your Asia-Pacific job"],
    "001": ["Presidents Abe and Obama. Image: Flickr user Daniel Maryville", "He can be contacted via email at"],
    "002": ["in Program", "Share on twitter", "Share on facebook", "Share on linkedin", "Share on email",
            "Choose Your Subscription Topics", "* indicates required", "I'm interested in...",
            "38 North: News and Analysis on North Korea", "South Asian Voices"],
    "003": ["Search", "pacific forum History of Pacific Forum", "Click here to download the full volume.",
            "You may also view the full Japanese translation of this volume here."],
    "004": ["Yuriko Nakao/Courtesy Reuters", "More on this topic from CFR",
            "View more from Defense and Security, Japan"],
}


def _seed(prefix: str) -> tuple[RawSource, object]:
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    (raw,) = read_file(path, SEEDS)
    return raw, clean(raw)


def _body(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "paragraph"]


def _sentences(line: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", line) if s.strip()]


@pytest.mark.parametrize("prefix", sorted(BOILERPLATE))
def test_seed_boilerplate_is_dropped(prefix):
    _, doc = _seed(prefix)
    for line in BOILERPLATE[prefix]:
        assert line in doc.dropped, line
        assert not any(b.text == line for b in doc.blocks), line


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\"“”]", "", text).split())


def _known_furniture(line: str, doc) -> bool:
    """A dropped line is furniture of a known kind, a label, or a pull quote of kept text."""
    if line not in doc.dropped:
        return False
    if furniture_kind(line) is not None:
        return True
    if len(line.split()) <= 8 and not re.search(r"[.!;,]$", line):
        return True  # navigation label or end-of-page link
    quote = re.sub(r"\s*[—–]\s*[A-Z][^\"”]*$", "", line)
    return _words(quote) in _words(doc.text)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_no_article_sentence_is_lost(path):
    (raw,) = read_file(path, SEEDS)
    doc = clean(raw)
    text = " ".join(doc.text.split())
    for line in raw.text.split("\n"):
        line = " ".join(line.split())
        byline, rest = split_byline_prefix(line)
        for sentence in _sentences(rest):
            if len(sentence) < 40 or sentence in text:
                continue
            assert _known_furniture(line, doc), sentence


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_blocks_point_into_the_clean_text(path):
    (raw,) = read_file(path, SEEDS)
    doc = clean(raw)
    assert doc.blocks
    for block in doc.blocks:
        assert doc.text[block.start:block.end] == block.text
    assert clean(raw) == doc  # same input, same output


def test_repeated_title_and_section_labels_at_top_leave_one_title():
    _, doc = _seed("000")
    titles = [b.text for b in doc.blocks if b.kind == "title"]
    assert titles == ["The US-Japan Security Relationship: Drift or Longevity?"]
    assert not any(b.text == titles[0] for b in doc.blocks if b.kind != "title")


def test_headings_found_in_seeds():
    headings = {p: [b.text for b in _seed(p)[1].blocks if b.kind == "heading"] for p in ("001", "003", "004")}
    assert headings["001"] == ["Incompatibility of Values", "Different Views of the World",
                               "Different Views of History", "Putting the Japan-US Alliance Back on the Right Track"]
    assert headings["003"] == ["About this Volume", "Introduction"]
    assert "The Okinawa Issue" in headings["004"] and "Introduction" in headings["004"]


def test_byline_prefix_leaves_the_first_sentence():
    _, doc = _seed("002")
    assert _body(doc)[0].startswith("A decade ago, the US-Japan alliance was adrift.")
    assert "By Yuki Tatsumi –" in doc.dropped


def test_truncated_contact_line_is_cut_but_the_bio_stays():
    _, doc = _seed("001")
    bio = [p for p in _body(doc) if p.startswith("Akira Kato is a Visiting Scholar")]
    assert bio and bio[0].endswith("Obirin University, Tokyo.")


def test_pull_quotes_dropped_originals_kept():
    _, doc = _seed("004")
    body = _body(doc)
    assert sum("With the ebb and flow of what's going on in the region" in p for p in body) == 1
    assert sum("The United States has an even bigger role" in p for p in body) == 1
    assert not any(p.endswith("—Jennifer Lind") for p in body)


def test_own_page_with_other_furniture_of_the_same_kinds():
    (raw,) = read_file(FIXTURES / "field_notes_blog.txt", FIXTURES)
    doc = clean(raw)
    expected_dropped = [
        "Opinion", "Home", "A fisherman at Tonle Sap. Photo: Jane Smith/Getty Images",
        "She can be reached by email at", "Share this article", "Follow us on Mastodon",
        "Sign up for our weekly newsletter", "Looking for a new job in water policy?",
        "Browse our jobs board", "Related articles", "Dams and Deltas", "The Flood Pulse Explained",
        '"Consultation never meant consent, and the largest projects went ahead regardless" —A delta farmer',
    ]
    for line in expected_dropped:
        assert line in doc.dropped, line
    assert [b.text for b in doc.blocks if b.kind == "title"] == ["Rivers Under Pressure"]
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Sediment and Fish"]
    body = _body(doc)
    assert len(body) == 5
    assert body[0].startswith("Water managers along the Mekong")
    assert body[-1] == "Maria Elena Gomez is a senior research fellow at the Institute for Water Policy."


def test_article_sentences_that_mention_furniture_words_survive():
    text = ("A Quiet Revolution\n\n"
            "The newsletter she founded in 1990 grew into the region's most widely read paper, "
            "and she would later say that she never intended to subscribe anyone to anything.\n"
            "Share prices fell by a third when the courtesy of the old board gave way to open conflict "
            "among the directors, who had never before disagreed in public about anything.\n")
    doc = clean(RawSource(id="x", path="x.txt", fmt="txt", text=text))
    assert len(_body(doc)) == 2 and not doc.dropped


def test_wrapped_book_paragraphs_are_joined_and_verse_kept():
    (raw,) = read_file(FIXTURES / "wrapped_book.txt", FIXTURES)
    doc = clean(raw)
    body = _body(doc)
    assert len(body) == 4
    assert body[0].startswith("The keeper climbed the stairs") and "\n" not in body[0]
    assert "counting the steps as his father" in body[0]
    assert body[2].count("\n") == 3 and body[2].startswith("The sea is wide")
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["CHAPTER I", "CHAPTER II"]
    assert [b.text for b in doc.blocks if b.kind == "title"][0] == "The Lighthouse Keeper"


def test_wrap_detection_per_block():
    assert is_wrapped(["x" * 68, "y" * 70, "z" * 20])
    assert not is_wrapped(["Share on twitter", "Share on facebook"])
    assert not is_wrapped(["Incompatibility of Values", "x" * 400])


def test_markdown_headings_and_inline_markup():
    (raw,) = read_file(FIXTURES / "notes.md", FIXTURES)
    doc = clean(raw)
    assert [b.kind for b in doc.blocks] == ["title", "paragraph", "heading", "paragraph", "paragraph", "paragraph"]
    first = _body(doc)[0]
    assert "predictable" in first and "*" not in first and "](" not in first
    assert "tidal plants easy to schedule" in first and "timing of every tide" in first


@pytest.mark.parametrize("markup, plain", [
    ("**bold** and *em* and _under_", "bold and em and under"),
    ("see [the report](http://x.org/a) now", "see the report now"),
    ("![alt](img.png) caption", "caption"),
    ("`code` and snake_case_name", "code and snake_case_name"),
])
def test_strip_inline_markdown(markup, plain):
    assert strip_inline_markdown(markup) == plain


def test_html_cleaned_through_its_markdown():
    (raw,) = read_file(FIXTURES / "page.html", FIXTURES)
    doc = clean(raw)
    assert [b.kind for b in doc.blocks] == ["title", "paragraph", "heading", "paragraph", "paragraph"]


def _html_page(body: str) -> RawSource:
    # What the HTML reader hands on: trafilatura's Markdown of the page.
    return RawSource(id="x", path="x.html", fmt="html", text=body)


def test_slideshow_captions_and_controls_are_dropped():
    slides = "\n\n".join(f"{n}/50 Slide {n} caption. A stunt over the river drew a crowd of {n}00 people."
                         for n in range(45, 51))
    text = ("# Hotels cut costs\n\n"
            "Hotel owners say minibars almost always lose money, whatever the prices.\n\n"
            f"## Business news in pictures\n\n{slides}\n\n"
            "## Mini bars\n\nDespite the snacks in the minibar seeming overpriced, owners still lose money.\n\n"
            "You Might Also Like\n\n1 of 5\n\nFullscreen\n\nThumbnails\n\nPrevious\n\nNext\n\n"
            "Comments\n\nLoading Comments...\n")
    doc = clean(_html_page(text))
    body = _body(doc)
    assert not any("/50" in line for line in body), body
    assert body[0].startswith("Hotel owners") and body[-1].startswith("Despite the snacks")
    for label in ("1 of 5", "Fullscreen", "Previous", "Next", "Loading Comments..."):
        assert label in doc.dropped


def test_fractions_that_do_not_count_slides_survive():
    text = ("# Scones\n\n1/2 cup of cold butter, cut into cubes.\n\n3/4 cup of buttermilk, well shaken.\n\n"
            "1/4 teaspoon of fine salt, sifted with the flour.\n\n2/3 cup of currants.\n")
    assert len(_body(clean(_html_page(text)))) == 4


def test_widget_messages_go_and_sentences_about_availability_stay():
    text = ("# Vaccine rollout\n\nUnfortunately, this video is not available in your region.\n\n"
            "This video is not available in your region.\n\n"
            "The vaccine is not available in rural clinics until spring, officials said on Monday.\n\n"
            "| | | |\n\n* * *\n")
    doc = clean(_html_page(text))
    assert _body(doc) == ["The vaccine is not available in rural clinics until spring, officials said on Monday."]


@pytest.mark.parametrize("line,furniture", [
    ("Presidents Abe and Obama. Image: Flickr user Daniel Maryville", True),
    ("Photo: Jane Smith/Getty Images", True),
    ("PHOTO: AP", True),
    # A colon after "images" in a sentence is prose, not a credit label.
    ("I started discovering beautiful things the web could do with images: things not possible with print.",
     False),
    ("The survey counted three kinds of pictures: maps, portraits and landscapes.", False),
])
def test_credit_labels_start_a_line_or_sentence(line, furniture):
    assert (furniture_kind(line) is not None) is furniture


@pytest.mark.parametrize("line,furniture", [
    ("Copyright © 1998 - 2016 Tencent. All Rights Reserved", True),
    ("© 2024 Polar Review", True),
    ("Tech > News > The Next Web > Article", True),
    ("Home » Science » Oceans", True),
    ("CreditKirsten Luce for The Daily Post", True),
    ("PhotoCreditJane Doe for The Daily Post", True),
    ("By Tara Parker-Pope", True),
    ("By Jane Doe and John Roe", True),
    ("Related: Chicago is the most segregated city in the country", True),
    ("See also: the council's answer to the flood report", True),
    # The same labels in other languages.
    ("Ähnliche Beiträge", True),
    ("Mehr zu Klima und Konsum", True),
    ("Weitere Artikel zum Thema", True),
    ("À lire aussi", True),
    ("Artículos relacionados", True),
    ("Zobacz też", True),
    ("Bild 1 von 10", True),
    ("Photo 3 sur 12", True),
    ("Chapter 1 of 10", False),
    ("3 Kommentare", True),
    ("Schreibe einen Kommentar", True),
    ("Gefällt mir", True),
    ("Partager sur Facebook", True),
    ("Kommentare", False),
    # Chinese and Japanese pages' labels: share, related, editor, caption, reprint notice.
    ("转播到腾讯微博", True),
    ("分享到", True),
    ("相关阅读", True),
    ("精彩视频推荐", True),
    ("関連記事", True),
    ("[责任编辑:王小明]", True),
    ("原标题：他晚于阿姆斯特朗登月", True),
    ("图注：测试表明，有关传言是不正确的", True),
    ("图为马素湘在澳大利亚悉尼游玩时的近影。", True),
    ("图书馆周末开放。", False),
    ("【本文版权归原作者所有。未经授权，不得转载。】", True),
    ("关于推荐系统的研究越来越多。", False),
    ("编辑部的同事们都很支持这个计划。", False),
    ("Posted on Tuesday 15 October 2019 at 09:11 by Jane M. Doe.", True),
    ("Submit comments on this post to <jdoe@example.org>.", True),
    ("This website and all documents on it are licensed under a Creative Commons Attribution-Share Alike "
     "3.0 United States License.", True),
    ("Posted on the board by the entrance, the notice was ignored.", False),
    ("This photograph is licensed under a Creative Commons licence, the museum said, which lets anyone "
     "reuse it. Others are not.", False),
    ("Read more:", True),
    ("Learn more", True),
    ("Read more about the study", True),
    ("Mehr erfahren", True),
    ("Learn more about the treaty was the aim of the delegation, which met twice.", False),
    ("[Read: Why the museum reopened after the attack]", True),
    ("Read: the first chapter. Then decide.", False),
    ("Mehr als die Hälfte der Befragten lehnt den Plan ab.", False),
    ("Weitere Informationen zur Studie finden Sie im Bericht.", False),
    # Prose that starts the same way.
    ("Copyright law treats a compilation of facts differently from the facts themselves.", False),
    ("The result is x > y > z for every input we tried, as the table shows.", False),
    ("Credit Suisse to cut 5,000 jobs", False),
    ("By Jove", False),
    ("By default, the server listens on port 8000.", False),
    ("Related: the council said the flood report was wrong. It will answer next week.", False),
])
def test_footers_breadcrumbs_bylines_and_labelled_links(line, furniture):
    assert (furniture_kind(line) is not None) is furniture


def test_a_pages_own_indentation_is_not_a_code_block():
    # trafilatura fences code and passes the page source's tabs through; an indented bold
    # standfirst was kept verbatim, asterisks and all.
    text = ("# Housing\n\n\t\t\t\t\n\t\t\t\t**Lectures start this week. Not everyone who came to study here "
            "has a room yet.**\n\nThe student union runs an emergency shelter for those still looking.\n")
    doc = clean(_html_page(text))
    assert _body(doc) == ["Lectures start this week. Not everyone who came to study here has a room yet.",
                          "The student union runs an emergency shelter for those still looking."]


def test_a_heading_named_comments_stays():
    text = "# Comments\n\nAll programmers strive to make their code easy to understand, and comments help.\n"
    doc = clean(RawSource(id="x", path="x.md", fmt="md", text=text))
    assert [b.text for b in doc.blocks if b.kind == "title"] == ["Comments"]


def test_a_wire_caption_ending_in_its_credit_is_dropped():
    caption = ("In this photo dated Tuesday, Nov. 29, 2016 the rocket booster with the cargo ship is installed "
               "on a launch pad in Baikonur, Kazakhstan, on a clear and cold morning. The unmanned cargo ship broke up in the atmosphere over "
               "Siberia on Thursday, just minutes after the launch en route to the International Space Station "
               "due to an unspecified malfunction, the space agency said.(Oleg Urusov/ Press Service photo via AP)")
    assert len(caption) > 400
    text = (f"# {caption}\n\nMOSCOW (AP) — An unmanned Russian cargo spaceship heading to the space station "
            "broke up in the atmosphere over Siberia on Thursday.\n\n"
            "The photo agency (its images are sold worldwide) said nothing.\n")
    doc = clean(_html_page(text))
    assert caption in doc.dropped
    assert _body(doc)[-1] == "The photo agency (its images are sold worldwide) said nothing."


def test_a_short_counted_thread_is_not_a_slideshow():
    posts = "\n\n".join(f"{n}/4 The council voted on the plan today, part {n} of what I saw there." for n in range(1, 5))
    doc = clean(_html_page(f"# Council notes\n\n{posts}\n"))
    assert len(_body(doc)) == 4


@pytest.mark.parametrize("paragraph, kept", [
    ("View and edit the styles of a page, and create new ones. Learn more about Style Editor",
     "View and edit the styles of a page, and create new ones."),
    ("Die Studie erscheint im Mai. Weiterlesen »", "Die Studie erscheint im Mai."),
    # Prose that says the same words is kept whole.
    ("She wanted to learn more about the treaty.", "She wanted to learn more about the treaty."),
    ("The museum opened in May. Read more about it in our guide, which lists every room.",
     "The museum opened in May. Read more about it in our guide, which lists every room."),
])
def test_a_call_to_action_run_onto_a_paragraph_is_trimmed(paragraph, kept):
    dropped: list[str] = []
    assert trim_trailing_furniture(paragraph, dropped) == kept
    assert bool(dropped) is (kept != paragraph)


@pytest.mark.parametrize("before", ["", "Health news, in brief, for the week.\n\n"])
def test_a_heading_that_repeats_the_stated_title_is_the_headline(before):
    body = ("Feb. 23, 2015 -- Peanut allergies have been on the rise, and a new study may offer a way to "
            "stem that rise, its authors say.")
    text = f"{before}## Babies Who Eat Peanuts Early May Avoid Allergy\n\n{body}\n\n## Methods\n\n{body}"
    doc = clean(RawSource(id="x", path="x.html", fmt="html", text=text,
                          meta={"title": "Babies who eat peanuts early may avoid allergy"}))
    kinds = {block.text: block.kind for block in doc.blocks}
    assert kinds["Babies Who Eat Peanuts Early May Avoid Allergy"] == "title"
    assert kinds["Methods"] == "heading"
    # Without a stated title it stays the section heading it is marked as.
    doc = clean(RawSource(id="x", path="x.html", fmt="html", text=text))
    assert {block.text: block.kind for block in doc.blocks}["Babies Who Eat Peanuts Early May Avoid Allergy"] == "heading"


@pytest.mark.parametrize("closing", ["おしまい", "THE END", "Ende.", "— Fin —"])
def test_what_follows_a_storys_closing_line_is_the_pages_not_the_storys(closing):
    story = "\n\n".join(f"The dog crossed the bridge with the meat in its mouth, part {n}, and looked down." for n in range(4))
    menu = "\n\n".join(["Today's birthday flower", "Pine", "Fairy tales of the world", "Riddles for school"])
    doc = clean(RawSource(id="x", path="x.html", fmt="html", text=f"{story}\n\n{closing}\n\n{menu}"))
    texts = [block.text for block in doc.blocks]
    assert texts[-1] == closing and "Pine" not in texts
    # A sentence after it means the page had more story after all: nothing is dropped.
    doc = clean(RawSource(id="x", path="x.html", fmt="html",
                          text=f"{story}\n\n{closing}\n\n{menu}\n\nThe dog never crossed that bridge again, they say."))
    assert "Pine" in [block.text for block in doc.blocks]
