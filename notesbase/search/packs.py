"""A segment's posting lists, decoded once when the segment is written and
kept beside it in a file every process maps into memory: the postings
pack.

Whoosh stores postings compressed, block by block; decoding a common word's
postings at 100,000 items takes a few hundred milliseconds, and a process
that keeps what it decoded holds its own copy of every term it was asked
for, growing with the variety of queries. A pack holds the decoded arrays
(documents, weights, word positions) of each term worth keeping, so a
search takes them as they lie in the file: nothing decoded, nothing copied,
and the pages shared by every worker through the operating system's page
cache.

A pack is derived: it holds no words, only numbers found again by where
each term's postings start in the segment's postings file (which Whoosh's
term index gives for a word), so a purge, which rewrites the segments
holding what it removes under new names, leaves nothing of the text in
one. It is named after its segment (``MAIN_<id>.pack``), so Whoosh deletes
it with the segment, checksummed with the index's own files, and a rebuild
makes it again.

Failing closed: a pack whose header, sizes or numbers do not hold together,
or that was made for another segment or layout, is not used (``open_pack``
returns None) and postings are decoded from Whoosh's files as without
one. This module does not import Whoosh."""

from __future__ import annotations

import json
import os
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from notesbase.search.segments import Postings

MAGIC = b"NBPACK1\n"
VERSION = 1
SUFFIX = ".pack"
_ALIGN = 64
# Each array: its name and type in the file (little-endian whatever the machine).
_ARRAYS = {
    "keys": "<i8",  # where each term's postings start in the postings file, ascending
    "spans": "<i8",  # each term's first posting in ids and weights, and the end
    "ids": "<i4",
    "weights": "<f4",
    "spots": "<i8",  # each term's first word position in positions, and the end
    "positions": "<u4",
    "starts": "<i8",  # per term, where each posting's positions start, then the end
}


class PackRefused(ValueError):
    """A pack that does not hold together (see ``open_pack``)."""


@dataclass(frozen=True)
class Packed:
    """One term's postings to be packed: where they start in the segment's
    postings file, and the postings (a word's with their positions, a
    keyword's without)."""

    key: int
    postings: Postings


def pack_path(folder: Path, segment_id: str) -> Path:
    return Path(folder) / f"{segment_id}{SUFFIX}"


def write_pack(path: Path, segment_id: str, documents: int, terms: Iterable[Packed]) -> int:
    """Write the pack of the segment ``segment_id`` (``documents`` of them)
    holding ``terms``, whole or not at all (a temporary file renamed into
    place); returns how many terms it holds."""
    ordered = sorted(terms, key=lambda term: term.key)
    keys = np.array([term.key for term in ordered], dtype="<i8")
    if len(keys) > 1 and not np.all(np.diff(keys) > 0):
        raise PackRefused("two terms start at the same place")
    parts = [_with_positions(term.postings) for term in ordered]
    counts = np.array([len(part.ids) for part in parts], dtype="<i8")
    spans = np.concatenate([[0], np.cumsum(counts)]).astype("<i8")
    spots = np.concatenate([[0], np.cumsum([len(p.positions) for p in parts])]).astype("<i8")  # type: ignore[arg-type]
    arrays = {
        "keys": keys,
        "spans": spans,
        "ids": _joined([part.ids for part in parts], "<i4"),
        "weights": _joined([part.weights for part in parts], "<f4"),
        "spots": spots,
        "positions": _joined([part.positions for part in parts], "<u4"),  # type: ignore[misc]
        "starts": _joined([part.starts for part in parts], "<i8"),  # type: ignore[misc]
    }
    layout, at = {}, 0
    for name, array in arrays.items():
        layout[name] = [at, len(array)]
        at += _padded(array.nbytes)
    header = json.dumps(
        {"version": VERSION, "segment": segment_id, "documents": documents, "arrays": layout}
    ).encode()
    head = MAGIC + struct.pack("<Q", len(header)) + header
    body_at = _padded(len(head))
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(head.ljust(body_at, b"\0"))
            for array in arrays.values():
                data = np.ascontiguousarray(array).tobytes()
                handle.write(data.ljust(_padded(len(data)), b"\0"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return len(keys)


def _with_positions(postings: Postings) -> Postings:
    """A keyword's postings (no word positions) as none at every posting."""
    if postings.positions is not None and postings.starts is not None:
        return postings
    starts = np.zeros(len(postings.ids) + 1, dtype=np.int64)
    return Postings(postings.ids, postings.weights, np.zeros(0, dtype=np.uint32), starts)


def _joined(parts: list[np.ndarray], dtype: str) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(parts).astype(dtype, copy=False)


def _padded(size: int) -> int:
    return -(-size // _ALIGN) * _ALIGN


class Pack:
    """An opened pack: each term's postings as views of the mapped file."""

    def __init__(self, arrays: dict[str, np.ndarray], documents: int) -> None:
        self.documents = documents
        self._keys = arrays["keys"]
        self._spans = arrays["spans"]
        self._ids = arrays["ids"]
        self._weights = arrays["weights"]
        self._spots = arrays["spots"]
        self._positions = arrays["positions"]
        self._starts = arrays["starts"]

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key: int) -> Postings | None:
        """The postings of the term starting at ``key`` in the postings
        file, or None when the pack does not hold it."""
        at = int(np.searchsorted(self._keys, key))
        if at >= len(self._keys) or int(self._keys[at]) != key:
            return None
        first, end = int(self._spans[at]), int(self._spans[at + 1])
        spot, spot_end = int(self._spots[at]), int(self._spots[at + 1])
        if spot == spot_end:  # a keyword's: no word positions (a word has one at least)
            return Postings(self._ids[first:end], self._weights[first:end])
        # Each term's starts are its postings' and one more (the end).
        return Postings(
            self._ids[first:end],
            self._weights[first:end],
            self._positions[spot:spot_end],
            self._starts[first + at : end + at + 1],
        )


def open_pack(path: Path, segment_id: str, documents: int) -> Pack | None:
    """The pack at ``path`` if there is one made for this segment that holds
    together; None otherwise (decode from Whoosh's files instead)."""
    try:
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
    except (FileNotFoundError, ValueError, OSError):
        return None  # none yet, or empty (a file of no bytes cannot be mapped)
    try:
        return _read(mapped, segment_id, documents)
    except (PackRefused, ValueError, KeyError, TypeError, struct.error):
        return None


def _read(mapped: np.ndarray, segment_id: str, documents: int) -> Pack:
    raw = memoryview(mapped)
    if bytes(raw[: len(MAGIC)]) != MAGIC:
        raise PackRefused("not a pack")
    (length,) = struct.unpack_from("<Q", raw, len(MAGIC))
    start = len(MAGIC) + 8
    if length > len(raw) - start:
        raise PackRefused("the header runs past the end")
    header = json.loads(bytes(raw[start : start + length]))
    if header["version"] != VERSION or header["segment"] != segment_id:
        raise PackRefused("made by another version, or for another segment")
    if header["documents"] != documents:
        raise PackRefused("made for a segment of another size")
    body = _padded(start + length)
    # Plain arrays over the same pages: slicing a ``np.memmap`` makes a new
    # memmap each time, several times slower than a view.
    plain = mapped.view(np.ndarray)
    arrays = {}
    for name, dtype in _ARRAYS.items():
        at, count = header["arrays"][name]
        if not (isinstance(at, int) and isinstance(count, int)) or at < 0 or count < 0:
            raise PackRefused(f"{name}: not a place in the file")
        begin = body + at
        end = begin + count * np.dtype(dtype).itemsize
        if begin % _ALIGN or end > len(mapped):
            raise PackRefused(f"{name}: outside the file")
        arrays[name] = plain[begin:end].view(dtype)
    _check(arrays, documents)
    return Pack(arrays, documents)


def _check(arrays: dict[str, np.ndarray], documents: int) -> None:
    """Whether the arrays hold together: every slice a lookup takes is in
    bounds, and every document is one of the segment's. (Bytes changed
    within those bounds are the index's checksums' to find.)"""
    keys, spans, spots, starts = arrays["keys"], arrays["spans"], arrays["spots"], arrays["starts"]
    terms, postings = len(keys), len(arrays["ids"])
    if len(arrays["weights"]) != postings or len(spans) != terms + 1 or len(spots) != terms + 1:
        raise PackRefused("the arrays' lengths disagree")
    if len(starts) != postings + terms:
        raise PackRefused("the word positions' starts do not match the postings")
    covered = spans[-1] == postings and spots[-1] == len(arrays["positions"])
    if spans[0] != 0 or spots[0] != 0 or not covered:
        raise PackRefused("the terms do not cover the postings")
    if np.any(np.diff(spans) < 0) or np.any(np.diff(spots) < 0) or np.any(np.diff(keys) <= 0):
        raise PackRefused("the terms are out of order")
    ids = arrays["ids"]
    if postings and (int(ids.min()) < 0 or int(ids.max()) >= documents):
        raise PackRefused("a posting names a document the segment does not have")
    # Each term's starts run from 0 to its number of positions, never back.
    ends = spans[1:] + np.arange(1, terms + 1)
    firsts = spans[:-1] + np.arange(terms)
    if terms and (np.any(starts[firsts] != 0) or np.any(starts[ends - 1] != np.diff(spots))):
        raise PackRefused("a term's word positions do not add up")
    steps = np.diff(starts)
    steps[ends[:-1] - 1] = 0  # where one term's starts end and the next's begin
    if np.any(steps < 0):
        raise PackRefused("a term's word positions go back")


# The packs this process has opened, by folder and segment: each is mapped
# and checked once, then shared by every thread and every version of the
# index that keeps its segment. None: the segment has no pack to use.
_OPENED: dict[tuple[Path, str], Pack | None] = {}
_LOCK = threading.Lock()


def opened(folder: Path, segment_id: str, documents: int) -> Pack | None:
    """The pack of the segment ``segment_id`` in ``folder``, opened once
    per process (``open_pack``)."""
    key = (Path(folder), segment_id)
    with _LOCK:
        if key in _OPENED:
            found = _OPENED[key]
            if found is None or found.documents == documents:
                return found
    pack = open_pack(pack_path(folder, segment_id), segment_id, documents)
    with _LOCK:
        _OPENED[key] = pack
    return pack


def forget(folder: Path, keep: set[str]) -> None:
    """Let go of the packs of ``folder``'s segments not in ``keep`` (merged
    or purged away): their mapping goes once no search still reads them."""
    folder = Path(folder)
    with _LOCK:
        for key in [k for k in _OPENED if k[0] == folder and k[1] not in keep]:
            del _OPENED[key]
