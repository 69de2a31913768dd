"""Exercise checkers for chapter 2, "Tensors"."""

from __future__ import annotations

import math
import numbers

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, run_reader_function, verdict

MNIST_TRAIN_SHAPE = (60000, 28, 28)


def _as_shape(answer):
    """The answer as a tuple of ints, or None when it is not shaped like a shape."""
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        return None
    items = list(answer)
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in items):
        return None
    return tuple(int(n) for n in items)


def _call(function, *args):
    """Run the reader's function; return (result, None) or (None, Verdict explaining the failure)."""
    result, problem = run_reader_function(function, *args)
    return (None, problem) if problem is not None else (np.asarray(result), None)


def check_slice_shape(answer) -> Verdict:
    """Exercise 2.1: the shape of ``train_images[-1000:, ::2, 4:-4]``."""
    if not_answered(answer):
        return NO_ANSWER
    # A zero-copy stand-in with MNIST's shape: slicing only needs the shape.
    expected = np.broadcast_to(np.uint8(0), MNIST_TRAIN_SHAPE)[-1000:, ::2, 4:-4].shape
    shape = _as_shape(answer)
    if shape is None:
        return verdict(False, "", f"Give the shape as a tuple of ints, like (1, 2, 3) (got {answer!r}).")
    if len(shape) != 3:
        hint = (f"Slicing never removes an axis, so the result still has rank 3; "
                f"you gave {len(shape)} numbers.")
    elif shape[0] != expected[0]:
        hint = "Look at the first axis again: -1000: means 'the last 1000 images'."
    elif shape[1] != expected[1]:
        hint = "Look at the rows again: ::2 keeps every second row, starting with row 0."
    elif shape[2] != expected[2]:
        hint = "Look at the columns again: 4:-4 drops 4 columns at each end of 28."
    else:
        hint = ""
    return verdict(shape == expected, f"The shape is {expected}.", hint)


def reference_batch(images, n, batch_size=128):
    """Batch ``n`` of ``images``: samples ``batch_size * n`` up to ``batch_size * (n + 1)``."""
    return images[batch_size * n:batch_size * (n + 1)]


def check_get_batch(get_batch) -> Verdict:
    """Exercise 2.2: ``get_batch(images, n, batch_size=128)`` returns the n-th batch."""
    images = np.arange(1000 * 2 * 3, dtype=np.int64).reshape(1000, 2, 3)
    original = images.copy()
    cases = [(n, 128) for n in range(8)] + [(n, 300) for n in range(4)] + [(0, 1000)]
    for n, batch_size in cases:
        result, problem = _call(get_batch, images, n, batch_size)
        if problem is not None:
            return problem
        expected = reference_batch(original, n, batch_size)
        if result.shape == expected.shape and np.array_equal(result, expected):
            continue
        call = f"get_batch(images, {n}, batch_size={batch_size}) for 1000 images"
        if len(expected) < batch_size and result.shape != expected.shape:
            return verdict(False, "", f"{call}: the last batch holds only the {len(expected)} "
                                      f"leftover samples, shape {expected.shape}; "
                                      f"you returned shape {result.shape}.")
        if result.shape == expected.shape and n + 1 < math.ceil(1000 / batch_size) \
                and np.array_equal(result, reference_batch(original, n + 1, batch_size)):
            return verdict(False, "", f"{call}: you returned batch {n + 1}. Batches are counted "
                                      "from 0, so batch 0 starts at sample 0.")
        return verdict(False, "", f"{call} should be samples {batch_size * n} up to (not "
                                  f"including) {min(batch_size * (n + 1), 1000)}, shape "
                                  f"{expected.shape}; you returned shape {result.shape}"
                                  + (" with other values." if result.shape == expected.shape else "."))
    return verdict(True, "Batch n is images[batch_size * n : batch_size * (n + 1)], "
                         "and the last batch is simply shorter.", "")


def check_to_channels_first(to_channels_first) -> Verdict:
    """Exercise 2.3: ``(samples, height, width, channels)`` -> ``(samples, channels, height, width)``."""
    rng = np.random.default_rng(2)
    for shape in [(2, 4, 5, 3), (3, 6, 2, 1), (1, 3, 7, 4)]:
        batch = rng.integers(0, 256, size=shape, dtype=np.uint8)
        original = batch.copy()
        result, problem = _call(to_channels_first, batch)
        if problem is not None:
            return problem
        expected = np.moveaxis(original, -1, 1)
        if result.shape != expected.shape:
            return verdict(False, "", f"A batch of shape {shape} should become {expected.shape}, "
                                      f"got {result.shape}.")
        if not np.array_equal(result, expected):
            return verdict(False, "", "The shape is right but the pixels are scrambled. A reshape "
                                      "keeps the numbers in their memory order and only regroups "
                                      "them; you need to move the channels axis instead "
                                      "(np.transpose or np.moveaxis).")
    return verdict(True, "The channels axis moved from last to second, and every pixel kept "
                         "its colour values.", "")


AUDIO_SECONDS, AUDIO_RATE, AUDIO_CHANNELS, AUDIO_CLIPS = 60, 16_000, 2, 1_000


def check_audio_tensor(shape, nbytes) -> Verdict:
    """Exercise 2.4: shape and float32 size of 1,000 one-minute stereo clips at 16 kHz."""
    if not_answered(shape) or not_answered(nbytes):
        return NO_ANSWER
    expected_shape = (AUDIO_CLIPS, AUDIO_SECONDS * AUDIO_RATE, AUDIO_CHANNELS)
    expected_bytes = math.prod(expected_shape) * np.dtype(np.float32).itemsize
    given = _as_shape(shape)
    if given is None:
        return verdict(False, "", f"Give the shape as a tuple of ints (got {shape!r}).")
    if given != expected_shape:
        if sorted(given) == sorted(expected_shape):
            hint = ("Right numbers, wrong order: a timeseries tensor is "
                    "(samples, timesteps, features).")
        elif len(given) != 3:
            hint = f"A batch of timeseries has rank 3; your shape has {len(given)} axes."
        else:
            hint = ("Count the timesteps: one value per channel every 1/16,000 of a second, "
                    "for 60 seconds.")
        return verdict(False, "", hint)
    if not isinstance(nbytes, numbers.Real) or isinstance(nbytes, bool):
        return verdict(False, "", f"Give the size as a number of bytes (got {nbytes!r}).")
    if nbytes == math.prod(expected_shape):
        return verdict(False, "", "That is the number of values; each float32 takes 4 bytes.")
    return verdict(nbytes == expected_bytes,
                   f"{math.prod(expected_shape):,} values, {expected_bytes:,} bytes: "
                   f"about {expected_bytes / 1e9:.2f} GB, too big to load at once on most laptops.",
                   "The shape is right; multiply its sizes together, then by the bytes per "
                   f"float32 value (you gave {nbytes:,}).")


# Exercise 2.5: each expression, how to build it on a stand-in dataset, and why
# it is a view or a copy. The verdict is computed with np.shares_memory.
VIEW_OR_COPY = {
    "a": ("train_images[100:200]", lambda x, y: x[100:200],
          "a basic slice only describes where to start and how far to step"),
    "b": ("train_images[[100, 200]]", lambda x, y: x[[100, 200]],
          "a list of positions is advanced indexing, which gathers the "
          "chosen entries into new memory"),
    "c": ("train_images[train_labels == 0]", lambda x, y: x[y == 0],
          "a boolean mask is advanced indexing, which gathers the chosen "
          "entries into new memory"),
    "d": ("train_images[..., ::2]", lambda x, y: x[..., ::2],
          "... and a step are still basic slicing: every second column is "
          "a regular pattern of memory"),
    "e": ("train_images[5, np.newaxis]", lambda x, y: x[5, np.newaxis],
          "an integer and np.newaxis are basic indexing: they remove and add "
          "axes without moving any data"),
    "f": ("train_images[:5, [0, 27]]", lambda x, y: x[:5, [0, 27]],
          "one advanced index (the list [0, 27]) is enough to make the "
          "whole result a copy"),
}


def view_or_copy_answers():
    """The right answers of exercise 2.5, measured with np.shares_memory."""
    images = np.arange(300 * 28 * 28, dtype=np.int32).reshape(300, 28, 28)
    labels = np.arange(300) % 10
    return {letter: "view" if np.shares_memory(build(images, labels), images)
            else "copy" for letter, (_, build, _) in VIEW_OR_COPY.items()}


def check_view_or_copy(answers) -> Verdict:
    """Exercise 2.5: ``{"a": "view" or "copy", ...}`` for each expression."""
    if not_answered(answers):
        return NO_ANSWER
    if not isinstance(answers, dict):
        return verdict(False, "", "Give a dict such as {\"a\": \"view\", "
                                  f"\"b\": \"copy\", ...}} (got {answers!r}).")
    given = {str(k).strip().lower(): v for k, v in answers.items()}
    if any(not_answered(v) for v in given.values()):
        return NO_ANSWER
    unknown = sorted(set(given) - set(VIEW_OR_COPY))
    if unknown:
        return verdict(False, "", f"Unknown letters {unknown}: answer for "
                                  f"{', '.join(VIEW_OR_COPY)} only.")
    missing = [k for k in VIEW_OR_COPY if k not in given]
    if missing:
        return verdict(False, "", f"Answer every letter; missing {missing}.")
    for letter, value in given.items():
        if not isinstance(value, str) or value.strip().lower() not in (
                "view", "copy"):
            return verdict(False, "", f"Answer ({letter}) with \"view\" or "
                                      f"\"copy\" (got {value!r}).")
    right = view_or_copy_answers()
    wrong = [k for k in VIEW_OR_COPY
             if given[k].strip().lower() != right[k]]
    if wrong:
        k = wrong[0]
        text, _, why = VIEW_OR_COPY[k]
        return verdict(False, "", f"{len(VIEW_OR_COPY) - len(wrong)} of "
                                  f"{len(VIEW_OR_COPY)} right. ({k}) {text} "
                                  f"is a {right[k]}: {why}.")
    views = [k for k in VIEW_OR_COPY if right[k] == "view"]
    return verdict(True, f"({', '.join(views)}) are views; the others copy, "
                         "because they use a list or a mask as an index.", "")
