"""Opening the bot's database: migrate it, and fill it from the shipped files when it is new."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlite_utils import Database

from db import knowledge as kdb
from db.schema import connect, creation_lock
from knowledge import morph
from knowledge.loader import DATA_DIR, Knowledge, validate


def content_words(kb: Knowledge) -> frozenset[str]:
    """Every content word of the validated knowledge: the closed world of the coverage gate,
    built once at load time (MeCab over every text) so that starting the bot stays fast."""
    # each text on its own: a record's JSON keys and quotes are no words of the report, and run
    # together they make MeCab misread a word's end ("무엇인가요\", \"answer" → 가요)
    texts = [t for rows in kb.records.values() for r in rows for t in kdb.shown_strings(r)]
    texts += [t for v in kb.sections.values() for t in kdb.shown_strings(v)]
    texts += [f"{f['label']} {f['text']}" for f in kb.facts]
    return morph.vocabulary(texts)


_CONTENT_WORDS_BUILD = b"content words: each text of a record on its own (2)"


def files_digest(data_dir: Path | str) -> str:
    """SHA-256 of the knowledge files as they are on disk (names and bytes; a few ms), and of how
    their vocabulary is built."""
    h = hashlib.sha256()
    # how the stored vocabulary is built is part of what was loaded: a database built the older
    # way is loaded again
    h.update(_CONTENT_WORDS_BUILD)
    for p in sorted(Path(data_dir).glob("*.yaml")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _needs_loading(db: Database, shipped: Path) -> bool:
    """No knowledge yet, or knowledge loaded from shipped files (this checkout's or another's)
    that differ from this checkout's (an upgrade). Knowledge loaded by hand from a directory
    (``hrdbot load DIR``) is left alone."""
    if not kdb.is_loaded(db):
        return True
    meta = kdb.knowledge_meta(db)
    source = meta.get("loaded_from") or ""
    # the shipped files of another checkout (an older copy of the code) are shipped files too
    if not meta.get("loaded_shipped") and (not source or Path(source).resolve() != shipped):
        return False
    return meta.get("files_sha256") != files_digest(shipped)


def open_database(path: Path | str, *, data_dir: Path = DATA_DIR) -> Database:
    """Open the database at ``path``; if it holds no knowledge yet, or the shipped knowledge it
    holds is older than the shipped files, load ``data_dir`` into it.

    Raises ``knowledge.loader.KnowledgeError`` if the shipped files are invalid (the database is
    then migrated but left without knowledge).
    """
    db = connect(path)
    shipped = Path(data_dir).resolve()
    if _needs_loading(db, shipped):
        # Under the creation lock: processes started together on a new file load it once.
        with creation_lock(Path(path)):
            if _needs_loading(db, shipped):
                kb = validate(data_dir)
                kdb.replace_knowledge(
                    db,
                    kb,
                    loaded_from=str(shipped),
                    vocabulary=content_words(kb),
                    files_digest=files_digest(shipped),
                    shipped=True,
                )
    return db


def load_directory(path: Path | str, data_dir: Path | str) -> dict[str, int]:
    """Validate ``data_dir`` completely, and only then open the database and swap it in.

    On a validation error nothing is opened, so the database file stays byte-identical.
    """
    kb = validate(data_dir)
    db = connect(path)
    try:
        return swap_in(db, kb, data_dir)
    finally:
        db.close()


def swap_in(db: Database, kb: Knowledge, data_dir: Path | str) -> dict[str, int]:
    """Swap validated knowledge read from ``data_dir`` into an open database (what
    ``hrdbot load`` does after validating; the staff console uses it after a save)."""
    return kdb.replace_knowledge(
        db,
        kb,
        loaded_from=str(Path(data_dir).resolve()),
        vocabulary=content_words(kb),
        files_digest=files_digest(data_dir),
    )
