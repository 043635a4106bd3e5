"""The fast segment writer indexes exactly what Whoosh's own path would."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from pinpoint.index.search.whoosh.segment_writer import PassageSegmentWriter, fast_indexer_for
from pinpoint.index.search.whoosh.engine import build_schema

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ODD_TEXTS = [
    "", "   ", "The the THE a An", "a an the of", "the cat the cat sat",
    "İstanbul ŞEHİR straße Ünïcode naïve café ǅemal", "x. y.z 3.14 a*b ** __init__ e.g. U.S.A.",
    "running runs ran runner's relocation relocated", "to be or not to be: that is the question",
]


def _texts() -> list[str]:
    texts = list(ODD_TEXTS)
    for path in sorted(SEEDS.glob("*.txt")):
        body = path.read_text(encoding="utf-8")
        texts.extend(body[i:i + 700] for i in range(0, len(body), 700))
    return texts


@pytest.mark.parametrize("fieldname", ["text", "title", "heading", "author"])
def test_fast_analysis_gives_whooshs_terms_frequencies_weights_and_positions(fieldname):
    field = build_schema()[fieldname]
    fast = fast_indexer_for(field)
    assert fast is not None, f"{fieldname} should take the fast path"
    for text in _texts():
        assert sorted(fast.index(text)) == sorted(field.index(text)), text[:60]


def test_fields_with_other_analyzers_keep_whooshs_path():
    schema = build_schema()
    assert fast_indexer_for(schema["source_id"]) is None
    assert fast_indexer_for(schema["number"]) is None


def _postings(ix) -> dict:
    with ix.reader() as reader:
        found = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            found[fieldname, term] = list(matcher.items_as("positions")) if fieldname in (
                "text", "title", "heading", "author") else list(matcher.all_ids())
            info = reader.term_info(fieldname, term)
            found[fieldname, term, "stats"] = (info.weight(), info.doc_frequency(), info.min_length(),
                                               info.max_length(), info.max_weight(), info.min_id(), info.max_id())
        lengths = {(n, f): reader.doc_field_length(n, f) for n in range(reader.doc_count_all())
                   for f in ("text", "title", "heading", "author")}
        stored = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
    return {"postings": found, "lengths": lengths, "stored": stored}


def test_a_segment_written_fast_reads_back_the_same_as_whooshs(tmp_path):
    documents = []
    # Enough passages that common terms span several postings blocks (128 each).
    for n, text in enumerate(_texts() * 3, start=1):
        doc = {"passage_id": f"s:{n}", "source_id": "s", "number": n, "paragraph": n, "paragraph_end": n,
               "start": 0, "end": len(text), "text": text or "x", "title": "The Title of It", "author": "Ann Author"}
        if n % 3 == 0:
            doc["heading"] = "A Heading on the Way"
        documents.append(doc)
    built = {}
    # "spilling" has so small a memory budget that its postings go through Whoosh's pool.
    for kind, writer_for in (("whoosh", lambda ix: ix.writer()), ("fast", PassageSegmentWriter),
                             ("spilling", lambda ix: PassageSegmentWriter(ix, limitmb=0.2))):
        folder = tmp_path / kind
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
        writer = writer_for(ix)
        for doc in documents:
            writer.add_document(**doc)
        writer.commit()
        built[kind] = _postings(whoosh_index.open_dir(str(folder)))
    assert built["fast"] == built["whoosh"]
    assert built["spilling"] == built["whoosh"]
    assert max(len(ids) for key, ids in built["fast"]["postings"].items() if len(key) == 2) > 128
