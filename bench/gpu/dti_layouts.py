#!/usr/bin/env python3
"""DTI interval layouts written by cuda_attention_bench (--layouts DIR), for the PyTorch anchor.

The C++ benchmark builds the packed DTI rows exactly like bench/harness/dti_kernel.ts and writes
DIR/dti_layouts.json plus one raw little-endian int32 [5, L] file per layout, the `iv` layout of
native/include/recforge/interval_attention.h (rows prefLo, prefHi, ctxLo, ctxHi, selfLo). Query i
may attend key j iff j is in [prefLo, prefHi) or [ctxLo, ctxHi) or [selfLo, i].

`allowed(iv, q, kv)` is that rule written only with indexing, comparisons, & and |, so the same
function builds a numpy mask, a dense torch mask for SDPA and FlexAttention's mask_mod.

Run as a script it checks the files with numpy only (no torch, no GPU):
    python3 bench/gpu/dti_layouts.py DIR
preconditions of every interval, the visible-pair count against the one the C++ side wrote,
and the dense mask on sampled query rows against the intervals read one by one.
"""
import json
import os
import sys

import numpy as np

INDEX = "dti_layouts.json"


def load_index(directory):
    with open(os.path.join(directory, INDEX)) as f:
        return json.load(f)


def load_ints(path, shape):
    a = np.fromfile(path, dtype="<i4")
    want = int(np.prod(shape))
    if a.size != want:
        raise ValueError(f"{path}: {a.size} int32 values, expected {want} for shape {shape}")
    return a.reshape(shape)


def load_layout(directory, entry):
    """int32 numpy array [5, L] of one entry of the index's "layouts"."""
    return load_ints(os.path.join(directory, entry["file"]), (5, entry["tokens"]))


def allowed(iv, q, kv):
    """Whether query q may attend key kv (broadcasting; numpy arrays or torch tensors alike).

    iv: the five interval rows (indexable by q: a [5, L] array or a sequence of five [L] rows).
    """
    return (((kv >= iv[0][q]) & (kv < iv[1][q])) | ((kv >= iv[2][q]) & (kv < iv[3][q]))
            | ((kv >= iv[4][q]) & (kv <= q)))


def visible_pairs(iv):
    """Size of the union of the three intervals, summed over queries (inclusion-exclusion)."""
    L = iv.shape[1]
    i = np.arange(L, dtype=np.int64)
    lo = [iv[0].astype(np.int64), iv[2].astype(np.int64), iv[4].astype(np.int64)]
    hi = [iv[1].astype(np.int64), iv[3].astype(np.int64), i + 1]

    def size(idx):
        a = np.max(np.stack([lo[j] for j in idx]), axis=0)
        b = np.min(np.stack([hi[j] for j in idx]), axis=0)
        return np.maximum(b - a, 0)

    total = size([0]) + size([1]) + size([2]) - size([0, 1]) - size([0, 2]) - size([1, 2]) + size([0, 1, 2])
    return int(total.sum())


def check_preconditions(iv):
    """The kernel's preconditions (interval_attention.h); returns a list of problems."""
    L = iv.shape[1]
    i = np.arange(L)
    bad = []
    if not np.all((iv[4] >= 0) & (iv[4] <= i)):
        bad.append("selfLo outside [0, i]")
    for r, name in ((0, "prefix"), (2, "context")):
        lo, hi = iv[r], iv[r + 1]
        nonempty = lo < hi
        if not np.all(~nonempty | ((lo >= 0) & (hi <= L))):
            bad.append(f"{name} interval outside [0, L)")
    return bad


def check_rows(iv, rows):
    """Dense mask rows from allowed() vs the intervals walked one key at a time."""
    L = iv.shape[1]
    kv = np.arange(L)
    for q in rows:
        got = allowed(iv, np.int64(q), kv)
        want = np.zeros(L, dtype=bool)
        for lo, hi in ((iv[0, q], iv[1, q]), (iv[2, q], iv[3, q]), (iv[4, q], q + 1)):
            for j in range(max(lo, 0), min(hi, L)):
                want[j] = True
        if not np.array_equal(got, want):
            return f"row {q}: mask differs from the intervals"
    return None


def check_directory(directory, sample_rows=64, seed=0):
    index = load_index(directory)
    rng = np.random.default_rng(seed)
    problems = []
    for e in index["layouts"]:
        iv = load_layout(directory, e)
        L = e["tokens"]
        bad = check_preconditions(iv)
        v = visible_pairs(iv)
        if v != e["visible_pairs"]:
            bad.append(f"visible pairs {v} (numpy) != {e['visible_pairs']} (index)")
        rows = np.unique(np.concatenate([[0, L - 1], rng.integers(0, L, sample_rows)]))
        msg = check_rows(iv, rows)
        if msg:
            bad.append(msg)
        print(f"{e['name']}: L={L} prompts={e['prompts']} visible={v} ({v / (L * L):.4%})"
              f" {'ok' if not bad else 'FAILED: ' + '; '.join(bad)}")
        problems += bad
    return problems


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(1)
    sys.exit(1 if check_directory(sys.argv[1]) else 0)
