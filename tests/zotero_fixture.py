"""A Zotero data directory built from Zotero's own schema, for tests.

The tables come from Zotero's SQL (``userdata.sql``, ``system.sql``,
``triggers.sql``) and the item types, fields, base-field mappings and creator
types from its published ``schema.json``, all read from
../shared/reference/zotero (never copied into the repository).  Items are
inserted the way Zotero stores them: values interned in ``itemDataValues``
under the item type's own field ids, dates in Zotero's multipart form,
attachments under ``storage/<attachment key>/`` with ``storage:`` paths.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "zotero"


def reference() -> Path:
    if not (REFERENCE / "schema.json").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Zotero reference schema missing at {REFERENCE}")
        pytest.skip(f"Zotero reference schema not found at {REFERENCE}: place ../shared/reference beside the repository")
    return REFERENCE


@dataclass
class Attachment:
    key: str
    file: Path | None  # copied into storage/<key>/ (imported) unless linked
    content_type: str = "application/pdf"
    link_mode: int = 0  # 0 imported file, 1 imported URL (snapshot), 2 linked file
    path: str | None = None  # stored path for linked files (absolute or "attachments:...")


@dataclass
class Item:
    key: str
    item_type: str
    fields: dict[str, str]
    creators: list[tuple[str, str, str]] = field(default_factory=list)  # (creatorType, first, last); first None = single field
    attachments: list[Attachment] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    deleted: bool = False


class ZoteroFixture:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "storage").mkdir(exist_ok=True)
        self.db = sqlite3.connect(folder / "zotero.sqlite")
        ref = reference()
        for script in ("system.sql", "userdata.sql", "triggers.sql"):
            self.db.executescript((ref / script).read_text(encoding="utf-8"))
        self._load_schema(json.loads((ref / "schema.json").read_text(encoding="utf-8")))
        self.db.execute("INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1)")
        self._next_item = 1
        self._collections: dict[str, int] = {}

    def _load_schema(self, schema: dict) -> None:
        types, fields, creator_types = {}, {}, {}
        for item_type in schema["itemTypes"]:
            types.setdefault(item_type["itemType"], len(types) + 1)
            for f in item_type["fields"]:
                for name in (f.get("baseField"), f["field"]):
                    if name:
                        fields.setdefault(name, len(fields) + 1)
            for c in item_type.get("creatorTypes", []):
                creator_types.setdefault(c["creatorType"], len(creator_types) + 1)
        self.types, self.fields, self.creator_types = types, fields, creator_types
        for suffix in ("", "Combined"):
            extra = ", 0" if suffix else ""
            self.db.executemany(f"INSERT INTO itemTypes{suffix} (itemTypeID, typeName, display{', custom' if suffix else ''})"
                                f" VALUES (?, ?, 1{extra})", [(i, n) for n, i in types.items()])
            self.db.executemany(f"INSERT INTO fields{suffix} (fieldID, fieldName, fieldFormatID{', custom' if suffix else ''})"
                                f" VALUES (?, ?, NULL{extra})", [(i, n) for n, i in fields.items()])
        self.db.executemany("INSERT INTO creatorTypes (creatorTypeID, creatorType) VALUES (?, ?)",
                            [(i, n) for n, i in creator_types.items()])
        for item_type in schema["itemTypes"]:
            type_id = types[item_type["itemType"]]
            for order, f in enumerate(item_type["fields"]):
                for suffix in ("", "Combined"):
                    self.db.execute(f"INSERT INTO itemTypeFields{suffix} (itemTypeID, fieldID, hide, orderIndex) VALUES (?, ?, 0, ?)",
                                    (type_id, fields[f["field"]], order))
                    if f.get("baseField"):
                        self.db.execute(f"INSERT INTO baseFieldMappings{suffix} (itemTypeID, baseFieldID, fieldID) VALUES (?, ?, ?)",
                                        (type_id, fields[f["baseField"]], fields[f["field"]]))
            for c in item_type.get("creatorTypes", []):
                self.db.execute("INSERT INTO itemTypeCreatorTypes (itemTypeID, creatorTypeID, primaryField) VALUES (?, ?, ?)",
                                (type_id, creator_types[c["creatorType"]], int(bool(c.get("primary")))))

    def _item_row(self, key: str, item_type: str) -> int:
        item_id = self._next_item
        self._next_item += 1
        self.db.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)",
                        (item_id, self.types[item_type], key))
        return item_id

    def _value(self, value: str) -> int:
        self.db.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        return self.db.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()[0]

    def add(self, item: Item) -> int:
        item_id = self._item_row(item.key, item.item_type)
        for name, value in item.fields.items():
            self.db.execute("INSERT INTO itemData (itemID, fieldID, valueID) VALUES (?, ?, ?)",
                            (item_id, self.fields[name], self._value(value)))
        for order, (creator_type, first, last) in enumerate(item.creators):
            mode = 1 if first is None else 0
            self.db.execute("INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
                            (first or "", last, mode))
            creator_id = self.db.execute("SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ? AND fieldMode = ?",
                                         (first or "", last, mode)).fetchone()[0]
            self.db.execute("INSERT INTO itemCreators (itemID, creatorID, creatorTypeID, orderIndex) VALUES (?, ?, ?, ?)",
                            (item_id, creator_id, self.creator_types[creator_type], order))
        for name in item.collections:
            if name not in self._collections:
                self._collections[name] = len(self._collections) + 1
                self.db.execute("INSERT INTO collections (collectionID, collectionName, libraryID, key) VALUES (?, ?, 1, ?)",
                                (self._collections[name], name, f"COLL{self._collections[name]:04d}"))
            self.db.execute("INSERT INTO collectionItems (collectionID, itemID) VALUES (?, ?)", (self._collections[name], item_id))
        for attachment in item.attachments:
            self.attach(attachment, item_id)
        if item.deleted:
            self.db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item_id,))
        return item_id

    def attach(self, attachment: Attachment, parent_id: int | None) -> None:
        att_id = self._item_row(attachment.key, "attachment")
        path = attachment.path
        if attachment.link_mode in (0, 1) and attachment.file is not None:
            target = self.folder / "storage" / attachment.key / attachment.file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(attachment.file, target)
            path = f"storage:{attachment.file.name}"
        self.db.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) VALUES (?, ?, ?, ?, ?)",
                        (att_id, parent_id, attachment.link_mode, attachment.content_type, path))

    def close(self) -> None:
        self.db.commit()
        self.db.close()
