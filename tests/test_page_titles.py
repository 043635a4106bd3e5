"""The title a saved web page gets: its own headline, as the page states it, without the site's name.

Each page here is a few lines written for one rule (not a copy of a real
page); ``tests.benchmarks.snippet_pages --only titles`` measures the rules on
about 870 real pages.
"""

from __future__ import annotations

import shutil

import pytest

from pinpoint.index.ingest.page_titles import page_title, strip_site_affixes, strip_site_suffix


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def test_a_site_suffix_goes_when_the_page_names_its_site():
    html = page('<title>Musik und Sport: So steigern Songs deine Leistung | Teufel Blog</title>'
                '<meta property="og:site_name" content="Teufel Blog">')
    assert page_title(html) == "Musik und Sport: So steigern Songs deine Leistung"


def test_a_site_prefix_goes_too():
    html = page('<title>Street One Blog | Heaven Blue</title><meta property="og:site_name" content="Street One Blog">')
    assert page_title(html) == "Heaven Blue"


def test_the_site_name_with_its_tagline_goes_as_one():
    html = page('<title>Pour le néolibéralisme, la retraite est un archaïsme - AOC media - Analyse Opinion '
                'Critique</title><meta property="og:site_name" content="AOC media - Analyse Opinion Critique">')
    assert page_title(html) == "Pour le néolibéralisme, la retraite est un archaïsme"


def test_the_domain_names_the_site_when_nothing_else_does():
    html = page('<title>Streit ums Feuerholz - www.AussenGedanken.de</title>'
                '<link rel="canonical" href="https://www.aussengedanken.de/streit-ums-feuerholz/">')
    assert page_title(html) == "Streit ums Feuerholz"
    assert page_title(html.replace("aussengedanken.de/", "example.org/")) == \
        "Streit ums Feuerholz - www.AussenGedanken.de"


def test_a_suffix_in_a_script_without_spaces_goes():
    html = page('<title>武汉的声音：有英勇的你，才有英雄的城！-新华网</title><meta property="og:site_name" content="新华网">')
    assert page_title(html) == "武汉的声音：有英勇的你，才有英雄的城！"


@pytest.mark.parametrize("title", ["Ceasefire talks resume - Analysis", "Star Wars: The Last Jedi",
                                   "Brexit-Deal: Parlament vertagt Votum"])
def test_a_title_is_never_cut_where_no_site_name_stands(title):
    html = page(f'<title>{title}</title><meta property="og:site_name" content="Star Wars">')
    assert page_title(html) == title


def test_a_heading_the_metadata_repeats_is_kept_as_the_page_writes_it():
    html = page('<meta property="og:title" content="&quot;Welches Europa wir wollen&quot; - Tafelblog">'
                '<meta property="og:site_name" content="Tafelblog">',
                "<article><h1>„Welches Europa wir wollen“</h1><p>Text.</p></article>")
    assert page_title(html) == "„Welches Europa wir wollen“"


def test_the_headline_after_a_kicker_is_the_title_where_the_page_shows_it_alone():
    html = page('<meta property="og:title" content="Siemens und die Kohlemine Adani: Kaeser verarscht Neubauer">'
                '<title>Siemens und die Kohlemine Adani: Kaeser verarscht Neubauer - taz.de</title>',
                "<article><h1>Kaeser verarscht Neubauer</h1><p>Text.</p></article>")
    assert page_title(html) == "Kaeser verarscht Neubauer"


def test_a_kicker_inside_the_heading_is_left_out():
    html = page('<meta property="og:title" content="Klimaschutz: Bohren, bis es heiß wird">',
                '<article><h1><span class="article-heading__kicker">Klimaschutz</span>'
                '<span class="visually-hidden">: </span><span class="article-heading__title">Bohren, bis es '
                'heiß wird</span></h1></article>')
    assert page_title(html) == "Bohren, bis es heiß wird"


def test_a_heading_that_goes_on_with_a_subtitle_keeps_it():
    html = page('<meta property="og:title" content="Saftiger Zitronenkuchen vom Blech | Backen macht glücklich">'
                '<meta property="og:site_name" content="Backen macht glücklich">',
                "<main><h1>Saftiger Zitronenkuchen vom Blech: einfach köstlich!</h1></main>")
    assert page_title(html) == "Saftiger Zitronenkuchen vom Blech: einfach köstlich!"


def test_a_byline_run_into_the_heading_is_cut():
    html = page("<title>»Haltet unsere Gewässer sauber!« - Der SeglerBlog aus Berlin</title>",
                '<h1 class="entry-title">»Haltet unsere Gewässer sauber!« <small>Veröffentlicht von SeglerBlog am '
                '23. Februar 2020</small></h1>')
    assert page_title(html) == "»Haltet unsere Gewässer sauber!«"


def test_the_site_name_in_the_banner_is_never_the_title():
    html = page("<title>Seelenradio Musikblog aus Wien » Nummer zwei: Leo</title>",
                '<div class="site-header"><h1><a href="/">Seelenradio Musikblog aus Wien</a></h1></div>'
                "<div class='post'><h2>Nummer zwei: Leo</h2><p>Text.</p></div>")
    assert page_title(html) == "Nummer zwei: Leo"


def test_the_site_name_alone_is_never_the_title():
    html = page('<title>CECIL Magazin</title><meta property="og:site_name" content="CECIL Magazin">',
                "<p>Text.</p>")
    assert page_title(html) is None


def test_a_menu_label_is_not_taken_for_the_title():
    html = page('<meta property="og:title" content="Reparaturcafé am 31. Januar">'
                '<meta property="og:title" content="Aktuelles">'
                "<title>Reparaturcafé am 31. Januar: Stadt Ahlen</title>",
                '<nav><a href="/aktuelles">Aktuelles</a></nav><h2 class="widget-title">Allgemein</h2>')
    assert page_title(html) == "Reparaturcafé am 31. Januar"


def test_a_menu_label_that_is_a_segment_of_the_title_is_not_the_headline():
    html = page("<title>Aktuelles | Reparaturcafé am 31. Januar | Stadt Ahlen</title>"
                '<meta property="og:site_name" content="Stadt Ahlen">',
                '<nav><a href="/aktuelles">Aktuelles</a></nav><div><h1>Aktuelles</h1>'
                "<h2>Reparaturcafé am 31. Januar</h2></div>")
    assert page_title(html) == "Reparaturcafé am 31. Januar"


def test_a_menu_label_is_the_title_where_the_metadata_states_it_whole():
    html = page("<title>Impressum</title>", '<nav><a href="/impressum">Impressum</a></nav><h1>Impressum</h1>')
    assert page_title(html) == "Impressum"


def test_the_schema_org_headline_decides_between_metadata_titles():
    html = page('<meta property="og:title" content="Sierra Leone: Die Sonne geht auch wieder auf">'
                '<title>Reise durch Sierra Leone: Es ist Zeit für den Tourismus</title>'
                '<script type="application/ld+json">{"@type": "NewsArticle", '
                '"headline": "Die Sonne geht auch wieder auf"}</script>',
                '<nav class="is-Invisible"><h1>Reise durch Sierra Leone: Es ist Zeit für den Tourismus</h1></nav>')
    assert page_title(html) == "Die Sonne geht auch wieder auf"


def test_a_hidden_heading_is_not_the_headline():
    html = page('<title>Reise durch Sierra Leone: Es ist Zeit für den Tourismus</title>'
                '<meta property="og:title" content="Die Sonne geht auch wieder auf">',
                '<div class="is-Invisible"><h1>Reise durch Sierra Leone: Es ist Zeit für den Tourismus</h1></div>'
                "<article><h1>Die Sonne geht auch wieder auf</h1></article>")
    assert page_title(html) == "Die Sonne geht auch wieder auf"


def test_spacing_left_by_markup_inside_a_heading_follows_the_metadata():
    html = page('<meta property="og:title" content="Nutzerbasierte Abrechnung: Musik-Stars fordern mehr">',
                "<h2>Nutzerbasierte Abrechnung <span>: </span>Musik-Stars fordern mehr</h2>")
    assert page_title(html) == "Nutzerbasierte Abrechnung: Musik-Stars fordern mehr"


def test_a_headings_permalink_sign_is_no_part_of_it():
    html = page("<title>Evolve: Shared Mutable History</title>",
                '<h1>Evolve: Shared Mutable History<a class="headerlink" href="#evolve">¶</a></h1>')
    assert page_title(html) == "Evolve: Shared Mutable History"


def test_a_site_name_tag_holding_the_headline_does_not_name_the_site():
    html = page('<meta name="application-name" content="Student halls too full to be safe, experts warn">'
                "<title>Student halls too full to be safe, experts warn</title>",
                "<article><h1>Student halls too full to be safe, experts warn</h1></article>")
    assert page_title(html) == "Student halls too full to be safe, experts warn"


def test_the_article_heading_is_taken_where_the_metadata_states_only_the_site():
    html = page("<title>Ausflugtipps Niederrhein und Ruhrgebiet</title>",
                "<main><h1>Essen-Westviertel</h1><p>Text.</p></main>")
    assert page_title(html) == "Essen-Westviertel"


def test_an_unreadable_page_states_no_title():
    assert page_title("") is None
    assert page_title("<html><head><title>   </title></head></html>") is None


def test_strip_site_affixes_takes_names_or_a_site():
    assert strip_site_affixes("Uber drivers win ruling – TechCrunch", ["TechCrunch"]) == "Uber drivers win ruling"
    assert strip_site_suffix("LWN.net Weekly Edition for March 26 [LWN.net]", ["LWN.net"]) == \
        "LWN.net Weekly Edition for March 26"


def test_a_page_without_a_trustworthy_title_gets_a_bracketed_description(tmp_path):
    """The fallback of untitled sources: never the site's name, never empty."""
    from pinpoint.index.store.build import build_index
    from pinpoint.index.store.versions import open_searcher

    folder = tmp_path / "pages"
    folder.mkdir()
    paragraph = "<p>" + "The council met on Tuesday to discuss the new bus routes for the city. " * 8 + "</p>"
    (folder / "cecil.html").write_text(
        page('<title>CECIL Magazin</title><meta property="og:site_name" content="CECIL Magazin">',
             f"<article>{paragraph}</article>"), encoding="utf-8")
    build_index([folder], tmp_path / "index")
    with open_searcher(tmp_path / "index") as searcher:
        (source,) = list(searcher.sources())
    assert source.csl["title"] == "[cecil.html]" and source.title_origin == "file-name-description"
    shutil.rmtree(tmp_path / "index")


@pytest.mark.parametrize("heading,described", [
    ("Podcasts in Plex einbinden", True),
    ("Bild 1 von 10", False),  # a gallery's counter
    ("[spanish] [greek] [english]", False),  # a language menu's links
    ("> Jens Weber", False),  # a breadcrumb's leftover
    ("Summary", False),  # a section's name
])
def test_only_a_heading_that_can_stand_for_the_work_describes_it(tmp_path, heading, described):
    from pinpoint.index.store.build import build_index
    from pinpoint.index.store.versions import open_searcher

    folder = tmp_path / "pages"
    folder.mkdir()
    paragraph = "<p>" + "The council met on Tuesday to discuss the new bus routes for the city. " * 8 + "</p>"
    (folder / "untitled.html").write_text(
        page('<meta property="og:site_name" content="CECIL Magazin">',
             f"<article><h2>{heading}</h2>{paragraph}</article>"), encoding="utf-8")
    build_index([folder], tmp_path / "index")
    with open_searcher(tmp_path / "index") as searcher:
        (source,) = list(searcher.sources())
    expected = f"[{heading}]" if described else "[untitled.html]"
    assert source.csl["title"] == expected, source.title_origin


def test_the_article_headline_wins_over_metadata_that_retells_the_story():
    html = page('<meta property="og:title" content="Niederlage für Johnson: Parlament vertagt Votum über Brexit-Deal">'
                "<title>Niederlage für Johnson: Parlament vertagt Votum über Brexit-Deal</title>",
                "<article><h1>Unterhaus vertagt Votum über Brexit-Deal - es drohen Chaos-Tage</h1></article>")
    assert page_title(html) == "Unterhaus vertagt Votum über Brexit-Deal - es drohen Chaos-Tage"


def test_a_section_heading_does_not_win_over_the_metadata():
    html = page('<meta property="og:title" content="Impfen ist bis Ende Februar überall möglich">'
                "<title>Impfen ist bis Ende Februar überall möglich</title>",
                "<main><h1>Medienmitteilungen</h1><p>Text.</p></main>")
    assert page_title(html) == "Impfen ist bis Ende Februar überall möglich"


def test_a_kicker_in_its_own_element_is_left_out_where_the_metadata_states_the_rest():
    html = page('<meta property="og:title" content="Große Aufgaben für die neue Regierung">',
                "<article><h1><div>Tunesien</div><div>Große Aufgaben für die neue Regierung</div></h1></article>")
    assert page_title(html) == "Große Aufgaben für die neue Regierung"


def test_layout_classes_on_body_do_not_make_the_page_a_sidebar():
    html = ('<html><head><title>Vegetarier zu sein. Bedarf oder Trend? | Ethify</title></head>'
            '<body class="one-sidebar sidebar-second"><div class="content"><header><h1>Vegetarier zu sein. '
            "Bedarf oder Trend?</h1></header></div></body></html>")
    # The site name a metadata extractor guessed from <title> is the headline here, not the site.
    assert page_title(html, ["Vegetarier zu sein. Bedarf oder Trend?"]) == "Vegetarier zu sein. Bedarf oder Trend?"
