"""What a segment rewritten without its deleted documents holds (after a
purge): every term's postings of live documents, renumbered, cut into
blocks, with the statistics Whoosh records for each block, all computed
for the whole segment at once with numpy. ``whoosh_internals`` reads the
old segment into ``Read`` and writes the ``Plan`` in Whoosh's format; this
module does not import Whoosh.

Whoosh's own merge passes every posting through Python one at a time,
sorts them all again and looks up each posting's length: 6.5 million
postings after a retention run over 100,000 items."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Read:
    """A segment's postings as stored, every term's one after the other
    in the order of its term index. ``values`` holds each posting's value
    as the format encodes it (None where the format keeps none);
    ``fields[i]`` is term ``i``'s field, as a row of the ``lengths`` given
    to ``plan``."""

    counts: np.ndarray  # postings per term
    fields: np.ndarray
    ids: np.ndarray  # documents, deleted ones included
    weights: np.ndarray
    values: list[Any]


@dataclass(frozen=True)
class Plan:
    """The live postings, renumbered, in blocks of at most the codec's size
    (a term's blocks one after the other, never one across two terms).
    Lengths are Whoosh's length bytes (0: none)."""

    terms: np.ndarray  # the terms kept (those with a live posting), as indices into ``Read``
    term_blocks: np.ndarray  # each kept term's first block; one more entry: the end
    ids: np.ndarray  # new document numbers
    weights: np.ndarray
    values: list[Any]
    deltas: np.ndarray  # ids as a block stores them: the first, then differences
    starts: np.ndarray  # each block's first posting
    ends: np.ndarray
    max_weights: np.ndarray
    min_weights: np.ndarray
    weight_sums: np.ndarray
    min_lengths: np.ndarray  # the shortest nonzero length byte, 0 where none is
    max_lengths: np.ndarray


def plan(read: Read, live: np.ndarray, lengths: np.ndarray, size: int) -> Plan:
    """The live postings of ``read`` (``live``: one flag per old document),
    renumbered in order and cut into blocks of ``size``; ``lengths`` holds
    each field's length bytes per new document (a row per field)."""
    renumber = np.cumsum(live) - 1
    term_of = np.repeat(np.arange(len(read.counts)), read.counts)
    keep = live[read.ids]
    ids = renumber[read.ids[keep]]
    weights = read.weights[keep]
    values = list(itertools.compress(read.values, keep.tolist()))
    counts = np.bincount(term_of[keep], minlength=len(read.counts))
    terms = np.flatnonzero(counts)
    counts = counts[terms]
    term_starts = np.cumsum(counts) - counts
    blocks = -(-counts // size)
    term_blocks = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(blocks, out=term_blocks[1:])
    block_term = np.repeat(np.arange(len(terms)), blocks)
    within = np.arange(int(term_blocks[-1])) - term_blocks[:-1][block_term]
    starts = term_starts[block_term] + within * size
    ends = np.minimum(starts + size, (term_starts + counts)[block_term])
    deltas = np.diff(ids, prepend=0)
    deltas[starts] = ids[starts]
    posting_lengths = lengths[read.fields[term_of[keep]], ids].astype(np.int64)
    if not len(starts):
        empty = np.zeros(0, dtype=np.int64)
        return Plan(terms, term_blocks, ids, weights, values, deltas, starts, ends, *[empty] * 5)
    return Plan(
        terms=terms,
        term_blocks=term_blocks,
        ids=ids,
        weights=weights,
        values=values,
        deltas=deltas,
        starts=starts,
        ends=ends,
        max_weights=np.maximum.reduceat(weights, starts),
        min_weights=np.minimum.reduceat(weights, starts),
        weight_sums=np.add.reduceat(weights.astype(np.float64), starts),
        # A length byte of 0 is no length, left out of the shortest.
        min_lengths=np.minimum.reduceat(np.where(posting_lengths, posting_lengths, 256), starts)
        % 256,
        max_lengths=np.maximum.reduceat(posting_lengths, starts),
    )
