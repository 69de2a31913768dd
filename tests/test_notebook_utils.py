"""seed_everything, import_keras and the static/live explorer switch."""

import os
import random

import numpy as np
import pytest

import helpers
from helpers import interactive


def test_seed_everything_makes_numpy_and_random_repeat():
    helpers.seed_everything(3)
    first = (np.random.rand(3), random.random())
    helpers.seed_everything(3)
    second = (np.random.rand(3), random.random())
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]


def test_seed_everything_seeds_tensorflow_once_imported():
    keras = helpers.import_keras()
    helpers.seed_everything(5)
    a = keras.random.uniform((4,)).numpy()
    helpers.seed_everything(5)
    b = keras.random.uniform((4,)).numpy()
    assert np.array_equal(a, b)


@pytest.mark.parametrize("bad", ["0", 1.5, True, None])
def test_seed_must_be_an_int(bad):
    with pytest.raises(TypeError, match="seed must be an int"):
        helpers.seed_everything(bad)


def test_import_keras_uses_tensorflow_and_keeps_stderr_working(capfd):
    keras = helpers.import_keras()
    assert keras.backend.backend() == "tensorflow"
    os.write(2, b"still here\n")
    assert "still here" in capfd.readouterr().err


def test_explore_draws_once_with_defaults_in_static_mode(monkeypatch):
    import ipywidgets

    monkeypatch.setenv(interactive.STATIC_ENV_VAR, "1")
    calls = []
    result = interactive.explore(lambda angle, relu, n, size: calls.append((angle, relu, n, size)),
                                 angle=ipywidgets.FloatSlider(value=30.0, min=0, max=360),
                                 relu=ipywidgets.Checkbox(value=True),
                                 n=(0, 10), size=(0.0, 1.0))
    assert result is None and calls == [(30.0, True, 5, 0.5)]


def test_explore_builds_live_widgets_without_the_variable(monkeypatch):
    import ipywidgets

    monkeypatch.delenv(interactive.STATIC_ENV_VAR, raising=False)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    calls = []
    panel = interactive.explore(lambda scale: calls.append(scale),
                                scale=ipywidgets.FloatSlider(value=2.0, min=0, max=4))
    assert isinstance(panel, ipywidgets.interactive)
    panel.children[0].value = 3.0  # moving the slider re-draws
    assert calls[-1] == 3.0


def test_explore_rejects_a_non_callable():
    with pytest.raises(TypeError, match="draw must be callable"):
        interactive.explore("not a function")


def test_show_source_displays_code_as_markdown_and_plain_text():
    from helpers.notebook import show_source

    shown = show_source(helpers.seed_everything)
    assert repr(shown).startswith("def seed_everything(seed: int = 0)")
    assert shown._repr_markdown_().startswith("```python\ndef seed_everything")
    assert shown._repr_markdown_().endswith("\n```")
    with pytest.raises(TypeError, match="cannot show the source"):
        show_source(42)


def test_show_source_dedents_a_method_as_a_whole():
    from helpers.notebook import SourceCode, show_source

    shown = repr(show_source(SourceCode.__repr__))
    assert shown.startswith("def __repr__(self) -> str:\n    return self.text")


def test_check_claim_passes_silently_when_the_claim_holds():
    assert helpers.check_claim(0.98 >= 0.975, "test accuracy of at least 0.975", 0.98) is None


def test_check_claim_tells_the_reader_what_was_expected_and_measured():
    with pytest.raises(helpers.ClaimError) as info:
        helpers.check_claim(0.96 >= 0.975, "test accuracy of at least 0.975", "0.9600")
    message = str(info.value)
    assert "says: test accuracy of at least 0.975." in message
    assert "measured: 0.9600" in message
    assert "your change may be the reason" in message and "library versions" in message
    assert "numpy " + np.__version__ in message  # names the versions this kernel runs
    assert isinstance(info.value, AssertionError)  # nbval and pytest treat it as a failed check


@pytest.mark.parametrize("claim", ["", "   ", None, 3])
def test_check_claim_needs_the_claim_in_words(claim):
    with pytest.raises(TypeError, match="claim as a non-empty string"):
        helpers.check_claim(True, claim)


def test_check_claim_rejects_an_ambiguous_truth_value():
    with pytest.raises(TypeError, match="single truth value"):
        helpers.check_claim(np.array([True, False]), "all entries positive")
