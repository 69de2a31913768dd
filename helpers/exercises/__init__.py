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
