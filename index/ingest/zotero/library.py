"""A Zotero data directory (``zotero.sqlite`` + ``storage/``) as files to index with their metadata.

The database is opened read-only and *immutable* (SQLite URI ``mode=ro&
immutable=1``): no lock is taken, no journal or WAL file is created, and a
running Zotero that holds the database is never disturbed.  The price is that
changes Zotero still keeps in its write-ahead log are not seen until Zotero
checkpoints them, which it does routinely and on exit.

Every regular item (not a note, not an attachment, not in the trash) gives
its PDF and HTML-snapshot attachments: files Zotero stored (``storage:name``
under ``storage/<attachment key>/``) and linked files whose absolute path
resolves.  What cannot be used is reported with a reason, as any skipped file.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pinpoint.index.ingest.zotero.csl import item_csl

DATABASE = "zotero.sqlite"
STORAGE = "storage"
# linkMode values in itemAttachments (Zotero.Attachments.LINK_MODE_*).
IMPORTED_FILE, IMPORTED_URL, LINKED_FILE, LINKED_URL = 0, 1, 2, 3
CONTENT_SUFFIX = {"application/pdf": ".pdf", "text/html": ".html", "application/xhtml+xml": ".html"}
NOT_REGULAR = ("attachment", "note", "annotation")


class ZoteroError(Exception):
    """A folder that looks like a Zotero library but whose database cannot be read."""


@dataclass(frozen=True)
class ZoteroFile:
    path: Path
    item_key: str
    attachment_key: str
    csl: dict[str, Any]
    collections: tuple[str, ...]
    link: str  # zotero://select/... : opens the item in the researcher's Zotero


@dataclass
class ZoteroLibrary:
    files: list[ZoteroFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def is_library(folder: Path) -> bool:
    return Path(folder).is_dir() and (Path(folder) / DATABASE).is_file()


def connect(database: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(Path(database).resolve()))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def read_library(folder: Path) -> ZoteroLibrary:
    folder = Path(folder)
    try:
        with closing(connect(folder / DATABASE)) as db:
            return _Reader(db, folder).read()
    except sqlite3.Error as exc:
        raise ZoteroError(f"{folder / DATABASE}: cannot read the Zotero database ({exc})") from None


class _Reader:
    def __init__(self, db: sqlite3.Connection, folder: Path):
        self.db = db
        self.folder = folder
        self.types = dict(db.execute(f"SELECT itemTypeID, typeName FROM {self._table('itemTypes')}"))
        self.fields = dict(db.execute(f"SELECT fieldID, fieldName FROM {self._table('fields')}"))
        self.base: dict[tuple[int, int], int] = {
            (t, f): b for t, b, f in db.execute(
                f"SELECT itemTypeID, baseFieldID, fieldID FROM {self._table('baseFieldMappings')}")}
        self.creator_types = dict(db.execute("SELECT creatorTypeID, creatorType FROM creatorTypes"))
        self.primary = set(db.execute("SELECT itemTypeID, creatorTypeID FROM itemTypeCreatorTypes WHERE primaryField = 1"))
        self.deleted = {row[0] for row in db.execute("SELECT itemID FROM deletedItems")} if self._has("deletedItems") else set()
        self.links = self._library_links()

    def _has(self, table: str) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is not None

    def _table(self, name: str) -> str:
        # Zotero fills the *Combined tables (schema plus custom types) at start-up.
        combined = f"{name}Combined"
        if self._has(combined) and self.db.execute(f"SELECT 1 FROM {combined} LIMIT 1").fetchone():
            return combined
        return name

    def _library_links(self) -> dict[int, str]:
        links = {}
        groups = dict(self.db.execute("SELECT libraryID, groupID FROM groups")) if self._has("groups") else {}
        for library_id, kind in self.db.execute("SELECT libraryID, type FROM libraries"):
            links[library_id] = f"groups/{groups[library_id]}" if kind == "group" and library_id in groups else "library"
        return links

    def read(self) -> ZoteroLibrary:
        library = ZoteroLibrary()
        rows = self.db.execute(
            "SELECT a.itemID, i.key, a.parentItemID, a.linkMode, a.contentType, a.path, p.key, p.itemTypeID, p.libraryID"
            " FROM itemAttachments a JOIN items i ON i.itemID = a.itemID"
            " LEFT JOIN items p ON p.itemID = a.parentItemID ORDER BY p.key, i.key").fetchall()
        items: dict[int, tuple[dict[str, Any], tuple[str, ...]]] = {}
        for item_id, key, parent_id, mode, content_type, path, parent_key, parent_type, library_id in rows:
            where = f"{self.folder / DATABASE} (attachment {key})"
            if item_id in self.deleted or parent_id in self.deleted or mode == LINKED_URL:
                continue
            if parent_id is None or self.types.get(parent_type) in NOT_REGULAR:
                library.skipped.append((where, "standalone attachment: no parent item holds its metadata"))
                continue
            file = self._file(key, mode, path)
            if isinstance(file, str):
                library.skipped.append((where, file))
                continue
            suffix = CONTENT_SUFFIX.get((content_type or "").lower()) or file.suffix.lower()
            if suffix not in (".pdf", ".html", ".htm"):
                library.skipped.append((str(file), f"attachment type {content_type or file.suffix or 'unknown'} is not indexed"))
                continue
            if parent_id not in items:
                items[parent_id] = (self._csl(parent_id, self.types.get(parent_type, "")), self._collections(parent_id))
            csl, collections = items[parent_id]
            link = f"zotero://select/{self.links.get(library_id, 'library')}/items/{parent_key}"
            library.files.append(ZoteroFile(file, parent_key, key, csl, collections, link))
        return library

    def _file(self, key: str, mode: int, path: str | None) -> Path | str:
        if not path:
            return "attachment has no file path"
        if mode in (IMPORTED_FILE, IMPORTED_URL):
            name = path[len("storage:"):] if path.startswith("storage:") else path
            file = self.folder / STORAGE / key / name
            return file if file.is_file() else f"attachment file {STORAGE}/{key}/{name} is not in storage (not synced or downloaded?)"
        if mode == LINKED_FILE:
            if path.startswith("attachments:"):
                return ("linked file relative to Zotero's base directory, which is set in Zotero's preferences, "
                        f"not in the library: {path}")
            file = Path(path)
            return file if file.is_file() else f"linked file not found: {path}"
        return f"attachment link mode {mode} is not a file"

    def _csl(self, item_id: int, item_type: str) -> dict[str, Any]:
        type_id = next((t for t, name in self.types.items() if name == item_type), None)
        fields: dict[str, str] = {}
        for field_id, value in self.db.execute(
                "SELECT d.fieldID, v.value FROM itemData d JOIN itemDataValues v ON v.valueID = d.valueID"
                " WHERE d.itemID = ?", (item_id,)):
            base_id = self.base.get((type_id, field_id), field_id)
            name = self.fields.get(base_id)
            if name is not None and value is not None:
                fields[name] = str(value)
        creators = [
            (self.creator_types.get(type_id_c, ""), first, last, mode or 0, (type_id, type_id_c) in self.primary)
            for first, last, mode, type_id_c in self.db.execute(
                "SELECT c.firstName, c.lastName, c.fieldMode, ic.creatorTypeID FROM itemCreators ic"
                " JOIN creators c ON c.creatorID = ic.creatorID WHERE ic.itemID = ? ORDER BY ic.orderIndex",
                (item_id,))
        ]
        return item_csl(item_type, fields, creators)

    def _collections(self, item_id: int) -> tuple[str, ...]:
        trashed = " AND c.collectionID NOT IN (SELECT collectionID FROM deletedCollections)" if self._has("deletedCollections") else ""
        names = [name for (name,) in self.db.execute(
            "SELECT c.collectionName FROM collectionItems ci JOIN collections c ON c.collectionID = ci.collectionID"
            f" WHERE ci.itemID = ?{trashed} ORDER BY c.collectionName", (item_id,))]
        return tuple(dict.fromkeys(names))
