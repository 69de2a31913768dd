"""Notebook plumbing shared by every chapter: seeds and figure defaults."""

from __future__ import annotations

import contextlib
import os
import random
import sys

import numpy as np


def seed_everything(seed: int = 0) -> None:
    """Fix the seeds of Python, NumPy and, if it is already imported, Keras/TensorFlow.

    Chapters that train with Keras import it before calling this, so that
    TensorFlow's seed and op determinism are set too; chapters that do not
    use TensorFlow are not slowed down by importing it.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(int(seed))
        tf.config.experimental.enable_op_determinism()
    try:
        import matplotlib as mpl
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return
    mpl.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "font.size": 11,
        "axes.titlesize": 12,
        "figure.autolayout": False,
    })


@contextlib.contextmanager
def _stderr_fd_silenced():
    """Send OS-level stderr (file descriptor 2) to /dev/null for the duration.

    TensorFlow's C++ core logs a few lines at import time (oneDNN, CUDA probing)
    before its log level applies; they bypass Python's sys.stderr, so only
    redirecting the file descriptor keeps them out of a notebook's outputs.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras():
    """Import and return Keras (TensorFlow backend) without TensorFlow's start-up log.

    Use it in a chapter's setup cell: ``keras = helpers.import_keras()``.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with _stderr_fd_silenced():
        import keras
        import tensorflow  # noqa: F401  (imported here so its log is silenced too)
    return keras


class SourceCode:
    """A function's source, shown as a highlighted code block in a notebook.

    Its plain-text form is the source itself (no object repr), so Colab,
    JupyterLab, nbval and the website all show the same code.
    """

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"


def show_source(obj) -> SourceCode:
    """Return the source of a helpers function or class for display in a chapter.

    Chapters use it to show the from-scratch code that lives, once, in
    `helpers`: ``show_source(naive_relu)`` as the last line of a cell.
    """
    import inspect
    import textwrap

    try:
        text = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(f"cannot show the source of {obj!r}: {exc}") from exc
    return SourceCode(textwrap.dedent(text).rstrip())


class ClaimError(AssertionError):
    """A number or behaviour that a chapter's text states did not hold in this run."""


# Libraries whose versions matter to the book's numbers; named in ClaimError's message.
_VERSIONED = ("numpy", "tensorflow", "keras", "jax", "matplotlib")


def check_claim(ok, claim: str, measured=None) -> None:
    """Check a claim that the text of a chapter makes; explain a failure to the reader.

    Hidden assertion cells use it instead of a bare ``assert``: on Colab such a
    cell is visible, and runs with other library versions, so its failure must
    say what the text expected, what this run measured, and what may be the
    cause. ``ok`` is the test, ``claim`` the statement in words, ``measured``
    the value(s) this run produced (any printable object)::

        check_claim(test_accuracy >= 0.975, "test accuracy of at least 0.975",
                    f"{test_accuracy:.4f}")
    """
    if not isinstance(claim, str) or not claim.strip():
        raise TypeError("check_claim needs the claim as a non-empty string")
    try:
        holds = bool(ok)
    except Exception as exc:  # e.g. the truth value of an array is ambiguous
        raise TypeError(f"check_claim needs a single truth value for {claim!r}, "
                        f"got {type(ok).__name__} ({exc})") from exc
    if holds:
        return
    versions = []
    for name in _VERSIONED:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__version__", None):
            versions.append(f"{name} {module.__version__}")
    lines = [f"The text of this chapter says: {claim}."]
    if measured is not None:
        lines.append(f"This run measured: {measured}.")
    lines.append("If you changed code above this cell, your change may be the reason; "
                 "otherwise your library versions may differ from the ones the book is "
                 "tested with (see its status page)"
                 + (f"; this kernel has {', '.join(versions)}." if versions else "."))
    raise ClaimError("\n".join(lines))
