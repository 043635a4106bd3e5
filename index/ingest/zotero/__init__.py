"""Zotero libraries: attachments to index, with the metadata and collections Zotero holds."""
