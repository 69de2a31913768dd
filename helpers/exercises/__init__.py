"""Checkers for the end-of-chapter exercises: one module per chapter (``chNN.py``).

A checker returns a `Verdict`: it is truthy when the answer is right, and a
notebook displays it as its friendly message (so a cell that ends with a
checker call shows the verdict, with no object repr). Tests use its truth value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: ``ok`` and the message for the reader."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's display hook
        printer.text(self.message)


def verdict(ok: bool, success: str, hint: str) -> Verdict:
    """A `Verdict` that praises with ``success`` or helps with ``hint``."""
    ok = bool(ok)
    return Verdict(ok, f"Correct! {success}" if ok else f"Not yet. {hint}")


NO_ANSWER = Verdict(False, "No answer yet: replace the ... placeholder with your answer "
                           "and run the cell again.")


def not_answered(answer) -> bool:
    """True when the reader has not replaced the placeholder (``...`` or None) yet."""
    return answer is None or answer is Ellipsis


NONE_RETURNED = Verdict(False, "No answer yet: your function returns None; "
                               "fill in its body and run the cell again.")


def run_reader_function(function, *args, context: str = "",
                        changed: str = "Your function changed its input array; "
                                       "work on a new array instead."):
    """Call the reader's ``function(*args)`` without letting a mistake crash the notebook.

    Returns ``(result, None)`` when it ran, returned something and left every
    NumPy array argument unchanged; otherwise ``(None, verdict)`` with the
    reason: the exception it raised (prefixed by ``context``, e.g. "For shapes
    (2,) and (3,)"), `NONE_RETURNED`, or the ``changed`` message.
    """
    import numpy as np

    originals = [arg.copy() if isinstance(arg, np.ndarray) else None for arg in args]
    try:
        result = function(*args)
    except Exception as exc:  # show the reader what went wrong, do not crash the notebook
        who = f"{context}, your function" if context else "Your function"
        return None, verdict(False, "", f"{who} raised {type(exc).__name__}: {exc}")
    if result is None:
        return None, NONE_RETURNED
    if any(o is not None and not np.array_equal(a, o) for a, o in zip(args, originals)):
        return None, verdict(False, "", changed)
    return result, None
