"""Authors you can trust: bylines that are wrong in known ways never become authors.

``tests/fixtures/bylines`` holds pages whose author metadata is a publisher,
a role, a link label, an organisation, or the people a fact-check is about;
``expected.json`` names, for each, the names that must never be authors and
the only ones allowed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pinpoint.index.ingest.bylines import page_publishers, trusted_byline
from pinpoint.index.ingest.page_titles import strip_site_suffix
from pinpoint.index.ingest.readers import read_file
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "bylines"
# Pages that differ from contributor.html only in their author metadata.
SAME_PAGE_OTHER_AUTHOR = {
    "editorial-team": "Editorial Team",
    "news-desk": "Newsroom Staff",
    "organisation": "F. C. S. International",
    "reporter-role": "Metro Reporter",
}
EXPECTED = {k: v for k, v in json.loads((FIXTURES / "expected.json").read_text()).items() if not k.startswith("_")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from pinpoint.index.store.build import build_index
    from pinpoint.index.store.versions import open_searcher

    folder = tmp_path_factory.mktemp("bylines") / "pages"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.json"))
    template = (FIXTURES / "contributor.html").read_text(encoding="utf-8")
    for name, author in SAME_PAGE_OTHER_AUTHOR.items():
        page = template.replace('content="Guest Contributor"', f'content="{author}"')
        (folder / f"{name}.html").write_text(page, encoding="utf-8")
    build_index([folder], folder.parent / "index")
    with open_searcher(folder.parent / "index") as searcher:
        sources = {s.id: s for s in searcher.sources()}
    sources["_index"] = folder.parent / "index"
    return sources


def _names(csl: dict) -> list[str]:
    return [" ".join(filter(None, [a.get("given"), a.get("family")])) or a.get("literal", "") for a in csl.get("author", [])]


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_no_organisation_role_word_or_body_name_becomes_an_author(built, page):
    names = _names(built[page].csl)
    for bad in EXPECTED[page]["bad"]:
        assert not any(bad.casefold() in n.casefold() for n in names), (page, names)
    assert set(names) <= set(EXPECTED[page]["good"]), (page, names)


def test_real_bylines_survive_the_check(built):
    # Without this the check could pass by dropping every author.
    assert _names(built["good-person"].csl) == ["Priya Raman"]
    assert _names(built["role-words"].csl) == ["Tom Krisher"]
    assert _names(built["publisher-as-author"].csl) == ["Matt Wood"]


def test_page_and_json_say_no_author_stated(built):
    from falcon import testing

    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config

    client = testing.TestClient(create_app(Config(index_dir=built["_index"], reload_seconds=0)))
    body = client.simulate_get("/sources/admin").json
    assert body["authors"] == [] and body["author_note"] == "no author stated"
    assert client.simulate_get("/sources/good-person").json["author_note"] is None
    page = client.simulate_get("/", params={"q": "bus network", "source": "admin"}).text
    assert "No author stated" in page


@pytest.mark.parametrize("byline,publishers", [
    ("Condé Nast", ["Condé Nast"]),
    ("Conde Nast", ["© 2023 Condé Nast"]),
    ("AP Auto Writer", []),
    ("Staff", []),
    ("Staff Writer", []),
    ("admin", []),
    ("Admin", []),
    ("Site Editor", []),
    ("Editorial Staff", []),
    ("Metro Reporter", []),
    ("Guest Contributor", []),
    ("The Associated Press", []),
    ("Reuters", []),
    ("F. C. S. International", []),
    ("Pacific Forum", ["Pacific Forum"]),
    ("Global News Network", []),
    ("TechCrunch", ["TechCrunch"]),
    ("Wired Staff", ["WIRED"]),
])
def test_bad_bylines_give_no_author(byline, publishers):
    assert trusted_byline(byline, publishers=publishers, body="") is None


def test_a_name_the_article_writes_about_is_not_a_byline():
    body = ("Fact check\n\nBy the desk\n\nThe plan was published in May.\n\n"
            "A post by Gary Hollister claimed the plan bans cars.\n\nIt does not.\n\nMore text.\n\nEnd.")
    assert trusted_byline("Gary Hollister", publishers=[], body=body) is None
    assert trusted_byline("Priya Raman; Gary Hollister", publishers=[], body=body) is None
    assert trusted_byline("Priya Raman", publishers=[], body=body) == "Priya Raman"


def test_a_closing_credit_set_out_over_lines_is_not_the_article_writing_about_its_author():
    body = ("The rules changed in May.\n\nSalons may open again.\n\nCustomers must show a test.\n\n"
            "The chamber explains the details.\n\nText:\n\nKirsten Freund\n/\n\nhandwerksblatt.de")
    assert trusted_byline("Kirsten Freund", publishers=[], body=body) == "Kirsten Freund"


def test_lead_ins_and_roles_are_taken_off_real_names():
    assert trusted_byline("View all posts by Daniel Lemire", publishers=[], body="") == "Daniel Lemire"
    assert trusted_byline("Tom Krisher, AP Auto Writer", publishers=[], body="") == "Tom Krisher"
    assert trusted_byline("Krisher, Tom", publishers=[], body="") == "Krisher, Tom"
    assert trusted_byline("Ann Lee, Bo Chan", publishers=[], body="") == "Ann Lee; Bo Chan"


@pytest.mark.parametrize("title,site,expected", [
    ("Uber drivers win ruling – TechCrunch", "TechCrunch", "Uber drivers win ruling"),
    ("Russia and Syria: what next | The Hill", "The Hill", "Russia and Syria: what next"),
    ("The Hill | Russia and Syria: what next", "The Hill", "Russia and Syria: what next"),
    ("Ceasefire talks resume - BBC News", "BBC News", "Ceasefire talks resume"),
    ("Ceasefire talks resume - Analysis", "BBC News", "Ceasefire talks resume - Analysis"),
    ("Ceasefire talks resume", "BBC News", "Ceasefire talks resume"),
    ("Star Wars: The Last Jedi", "Star Wars", "Star Wars: The Last Jedi"),
])
def test_titles_lose_the_site_name_only_when_the_site_is_known(title, site, expected):
    assert strip_site_suffix(title, [site]) == expected


def test_site_suffix_is_taken_off_a_page_title(tmp_path):
    html = (FIXTURES / "good-person.html").read_text(encoding="utf-8").replace(
        "<title>", '<meta property="og:title" content="Council expands bus network – TechCrunch">\n<title>')
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (raw,) = read_file(tmp_path / "page.html", tmp_path)
    assert raw.meta["title"] == "Council expands bus network"


def test_publishers_are_read_from_meta_json_ld_and_copyright():
    html = (FIXTURES / "publisher-as-author.html").read_text(encoding="utf-8")
    found = page_publishers(html)
    assert "WIRED" in found and "Condé Nast" in found


@pytest.mark.parametrize("byline", ["王小明", "山田 太郎", "김민수"])
def test_names_in_scripts_without_case_are_kept(byline):
    assert trusted_byline(byline, publishers=[], body="") == byline


@pytest.mark.parametrize("byline,html", [
    ("王小明", "<p>作者：王小明</p>"),
    ("王小明", "<p>本报记者王小明报道</p>"),  # no spaces round a name in Chinese text
    ("山田 太郎", "<span>山田 太郎</span>"),
    ("김민수", "<p>김민수 기자</p>"),
])
def test_names_in_scripts_without_case_are_found_in_the_page(byline, html):
    assert trusted_byline(byline, publishers=[], body="", html=html) == byline


def test_cyrillic_label_is_taken_off():
    assert trusted_byline("Автор Дмитрий Иванов", publishers=[], body="",
                          html="<p>Автор: Дмитрий Иванов</p>") == "Дмитрий Иванов"


def test_a_long_run_of_caseless_characters_is_not_a_name():
    assert trusted_byline("新华社记者报道组编辑部", publishers=[], body="") is None


# Bylines as real pages' metadata gives them (Readability's test pages, see
# tests/benchmarks/bylines.py); only the strings are written here.
@pytest.mark.parametrize("byline,html,expected", [
    # The dateline runs into the name; the page states the name alone.
    ("Joshua Sokol May", '<a href="/authors/joshua-sokol/"><span>Joshua Sokol</span></a>', "Joshua Sokol"),
    ("Nathan Willis March", "<div> By <b>Nathan Willis</b> March 25, 2015</div>", "Nathan Willis"),
    ("GILLIAN MOHNEY March", '<span>By </span><span class="fn">GILLIAN MOHNEY</span>', "GILLIAN MOHNEY"),
    # ... and where it does not, the name is not trusted rather than guessed at.
    ("Joshua Sokol May", "<p>Joshua Sokol May wrote this.</p>", None),
    ("Joe Wee Monday; February", "", None),
    # A surname that is a month cannot be told from a date: no author, which is never wrong.
    ("Theresa May", "<span>Theresa May</span>", None),
    # A month inside a name is no date.
    ("Brian May Jones", "<span>Brian May Jones</span>", "Brian May Jones"),
])
def test_a_date_run_into_a_byline_is_not_part_of_the_name(byline, html, expected):
    assert trusted_byline(byline, publishers=[], body="", html=html) == expected


@pytest.mark.parametrize("byline", ["作者", "记者", "责任编辑", "本报记者", "기자"])
def test_caseless_role_words_are_not_names(byline):
    assert trusted_byline(byline, publishers=[], body="") is None


def test_one_person_named_twice_is_one_author():
    assert trusted_byline("Jeffrey Gettleman; JEFFREY GETTLEMAN", publishers=[], body="") == "Jeffrey Gettleman"
    assert (trusted_byline("Steven Davidoff Solomon; STEVEN DAVIDOFF SOLOMON", publishers=[], body="")
            == "Steven Davidoff Solomon")


# Bylines as trafilatura hands them over for real pages (go-trafilatura's
# evaluation pages, see tests/benchmarks/snippet_pages.py), each with a line
# of markup like the page's: what the page shows decides what is kept.
@pytest.mark.parametrize("byline,html,expected", [
    # Lead-ins and labels in other languages, kept in the name by the extractor.
    ("Por Alberto Ávila", '<p class="author">Por Alberto Ávila</p>', "Alberto Ávila"),
    ("Par Jeanne Dupont", '<p class="auteur">par Jeanne Dupont</p>', "Jeanne Dupont"),
    ("Di Mario Rossi", '<p>di Mario Rossi</p>', "Mario Rossi"),
    ("Door Anouk de Vries", '<p>Door Anouk de Vries</p>', "Anouk de Vries"),
    ("Av Lars Svensson", '<p>Av Lars Svensson</p>', "Lars Svensson"),
    ("Przez Anna Nowak", '<p>Przez Anna Nowak</p>', "Anna Nowak"),
    ("Auteur Anna Kubišta", '<div class="author">Auteur : Anna Kubišta</div>', "Anna Kubišta"),
    ("Interview Julia Lauter", '<a class="author-link">Interview: Julia Lauter</a>', "Julia Lauter"),
    ("Text; Interview Harald Willenbrock", "<p>Text und Interview: Harald Willenbrock</p>", "Harald Willenbrock"),
    ("Vom Krimiblogger", '<h4 class="vcard author">vom <span class="fn">Krimiblogger</span></h4>', None),
    # A date label run into the name ("Stand:", German for "as of").
    ("Sara Zinnecker Stand", "<span>Sara Zinnecker</span> <span>Stand: 05. Februar 2020</span>", "Sara Zinnecker"),
    # Stray punctuation round a name.
    ("'Luana Patriolino; Raphael Felice",
     '<div class="autor"><div>Luana Patriolino</div><div>Raphael Felice</div></div>',
     "Luana Patriolino; Raphael Felice"),
    # Domains and e-mail addresses made into words are no persons.
    ("Facebook Com; Evgenia Karp", '<meta name="author" content="facebook.com"><p>Von Evgenia Karp</p>', "Evgenia Karp"),
    ("Jungefreiheit De", '<meta name="author" content="jungefreiheit.de"><a href="https://jungefreiheit.de/">jungefreiheit.de</a>', None),
    ("Ciphacipha Net", '<meta name="author" content="cipha[at]cipha.net"><p>Text</p>', None),
    # A login title-cased by the extractor, or one shown only as the start of a longer name.
    ("Sarah-Indra", '<meta name="twitter:data1" content="sarah-indra"><p class="author">Sarah-Indra Jungblut</p>', None),
    ("Deinen Hochzeitsbloggern", '<meta name="author" content="deinen Hochzeitsbloggern"><p>von deinen Hochzeitsbloggern</p>', None),
    # A user name is kept as the page writes it, one name, not "Rein, H.".
    ("Herr Rein", '<a href="/author/herr_rein/" rel="author">Herr_Rein</a>', "Herr_Rein"),
    # Initials keep their dots; a dot joining whole words is a login's.
    ("R C Baker", '<span class="author">R.C. Baker</span>', "R.C. Baker"),
    ("Isabella DiBiase", 'Von <a class="username">Isabella.DiBiase</a> am 19. Oktober', "Isabella DiBiase"),
    # Names only metadata holds: the posting account, a theme's designer, the site.
    ("Gilles Gressani", '<script type="application/ld+json">{"@type":"Person","name":"Gilles Gressani"}</script>'
                        '<a href="/staff/uriel-gadessaud/">Uriel Gadessaud</a>', None),
    ("Frank Bueltge; Bueltge De", '<meta name="author" content="Frank Bueltge - http://bueltge.de"><p>Rezepte</p>', None),
    ("EFC Bayrische Bembel", '<title>EFC Bayrische Bembel Regensburg - News</title>'
                             '<meta name="author" content="EFC Bayrische Bembel"><p>Text</p>', None),
    ("Isabell Angele", '<span class="hidden"><a rel="author">Isabell Angele</a></span><p>Text</p>', None),
    # Commenters and teasers of other articles are not the page's author.
    ("D-Zug", '<div class="comment byuser"><p class="comment-author">D-Zug</p></div>', None),
    ("Flappy Bird", '<ul id="recentcomments"><li><a class="url">flappy bird</a> on Interning</li></ul>', None),
    ("Stephangoeldi Said; On August 3",
     '<div class="comment"><strong class="fn">stephangoeldi</strong> said, on August 3, 2019</div>', None),
    ("Andreas Hoffmann", '<a href="/politik/scholz.html"><h3>Die Wandlung des Olaf Scholz</h3>'
                         '<div class="author-name">Von Andreas Hoffmann</div></a>', None),
    # Desks and newsrooms are organisations; an entity split the byline.
    ("NOTICIAS TROME; Redacción Trome; Carla Chevez", "<p>Redacción Trome</p><p>Carla Chevez</p>", "Carla Chevez"),
    ("Redacci; Oacute; N Diario Pagina Siete", "<p>Redacci&Oacute;N Diario Pagina Siete</p>", None),
    # Right bylines the page shows survive.
    ("Tom Krisher, AP Auto Writer", "<p>By Tom Krisher, AP Auto Writer</p>", "Tom Krisher"),
    ("Glen Owen; Brendan Carlin", "<p>By Glen Owen And Brendan Carlin For The Mail On Sunday</p>",
     "Glen Owen; Brendan Carlin"),
    ("Ingo Arzt", '<a class="author person" href="/Ingo-Arzt/!a132/"><h4>Ingo Arzt</h4></a>', "Ingo Arzt"),
    ("Daniel Dillenburg", '<main class="tw-overflow-hidden"><p>1. Februar 2022, Daniel Dillenburg</p></main>',
     "Daniel Dillenburg"),
    ("Christian Mihatsch", '<h5 class="field field--label-hidden">Christian Mihatsch</h5>', "Christian Mihatsch"),
    ("Helge Fahrnberger", '<body class="footer-top-hidden"><a href="/author/helge/">Helge Fahrnberger</a></body>',
     "Helge Fahrnberger"),
])
def test_a_byline_is_kept_only_as_the_page_shows_it(byline, html, expected):
    assert trusted_byline(byline, publishers=[], body="", html=html) == expected


@pytest.mark.parametrize("byline", [
    "Facebook Com", "Bueltge De", "Redaktion Polizeiticker Schweiz", "Business Punk Redaktion",
    "Revamp-It Webteam", "N Diario Pagina Siete", "NOTICIAS TROME", "On August 3", "Fotos Karl Maier",
    "Deutsche Wirtschaftsnachrichten", "Deutsches Weininstitut GmbH", "Olympia-Verlag GmbH", "Catch Themes",
])
def test_addresses_desks_dates_and_other_credits_are_no_authors_even_without_the_page(byline):
    assert trusted_byline(byline, publishers=[], body="") is None


@pytest.mark.parametrize("byline,expected", [
    ("Dr Sebastian Brüggemann", "Sebastian Brüggemann"),
    ("Prof. Dr. Anna Weber", "Anna Weber"),
    ("Rechtsanwalt Dennis Tölle", "Dennis Tölle"),
    ("Dipl.-Ing. Karl Maier", "Karl Maier"),
    ("Mag. Anna Huber", "Anna Huber"),
    ("Ing Wen Tsai", "Ing Wen Tsai"),  # "Ing." is a title only with its dot
    ("Ms Smith", None),  # a surname alone is no name to cite
    ("Drew Barrymore", "Drew Barrymore"),
])
def test_titles_before_a_name_are_left_out_as_citations_do(byline, expected):
    assert trusted_byline(byline, publishers=[], body="") == expected


@pytest.mark.parametrize("byline", ["_", "_._", "·", "&amp;", "<b>", "3", "; ;"])
def test_bylines_of_punctuation_alone_give_no_author(byline):
    assert trusted_byline(byline, publishers=[], body="", html="<p>_ _._ · 3</p>") is None


def test_particles_that_begin_a_surname_stay():
    assert trusted_byline("Di Stefano, Mark", publishers=[], body="") == "Di Stefano, Mark"
    assert trusted_byline("Mark Di Stefano", publishers=[], body="") == "Mark Di Stefano"
    assert trusted_byline("Text Hans Meier; Fotos Karl Maier", publishers=[], body="") == "Hans Meier"


def test_the_articles_own_opening_byline_overrules_metadata_naming_others():
    html = "<p>Daniel Weinmann</p><footer><p>Boris Reitschuster</p></footer><p>Isabell Angele</p>"
    body = "# Titel\n\n**Von Daniel Weinmann**\n\nSie ist nicht nur die erfolgreichste Sendung.\n\nMehr."
    assert trusted_byline("Daniel Weinmann; Boris Reitschuster", publishers=[], body=body, html=html) == "Daniel Weinmann"
    assert trusted_byline("Isabell Angele", publishers=[], body=body, html=html) is None
    fabian = "## Podcasts in Plex\n\nErstellt von Fabian am Dienstag 6. Mai 2014\n\nIch benutze Plex."
    assert trusted_byline("Matthias Hille", publishers=[], body=fabian, html="<li>Matthias Hille</li>") is None
