"""seed_everything, import_keras and the static/live explorer switch."""

import os
import random
import re

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


def _static(monkeypatch):
    """Static mode, with what explore displays collected in a list."""
    shown = []
    monkeypatch.setenv(interactive.STATIC_ENV_VAR, "1")
    monkeypatch.setattr("IPython.display.display",
                        lambda obj, **k: shown.append(obj))
    return shown


def _frames(bundle):
    """The data an explorer's JavaScript reads: images, frames, labels."""
    import json
    import re

    found = re.search(r'class="book-explorer-data">(.*?)</script>',
                      bundle["text/html"], re.S)
    return json.loads(found.group(1).replace("<\\/", "</"))


def _line(value, relu=False, note=""):
    import matplotlib.pyplot as plt

    if note:
        print(note)
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, value * (-1 if relu else 1)])
    plt.show()


def test_explore_static_draws_a_frame_per_position_of_the_playable_controls(
        monkeypatch):
    import ipywidgets

    shown = _static(monkeypatch)
    calls = []

    def draw(angle, relu, kind, scale):
        calls.append((angle, relu, kind, scale))
        _line(angle, relu)

    result = interactive.explore(
        draw, angle=ipywidgets.FloatSlider(value=30.0, min=0, max=360,
                                           step=5, description="angle"),
        relu=ipywidgets.Checkbox(value=True, description="relu after"),
        kind=ipywidgets.Dropdown(options=[("plain", "p"), ("fancy", "f")],
                                 value="f", description="kind"),
        scale=ipywidgets.FloatSlider(value=2.0, min=0, max=4),
        playable=["angle", "relu", "kind"], alt="A line")
    assert result is None and len(shown) == 1
    bundle = shown[0]
    assert set(bundle) == {"text/html", "text/plain"}
    # a slider: 5 spread positions and its default; a checkbox: both
    # states; a dropdown: its options. The other control stays at 2.0.
    angles = [0.0, 30.0, 90.0, 180.0, 270.0, 360.0]
    assert len(calls) == len(angles) * 2 * 2
    assert {c[0] for c in calls} == set(angles)
    assert {c[1] for c in calls} == {False, True}
    assert {c[2] for c in calls} == {"p", "f"} and {c[3] for c in calls} == {2.0}
    data = _frames(bundle)
    assert data["labels"] == [[f"{a:.2f}" for a in angles], ["off", "on"],
                              ["plain", "fancy"]]
    assert len(data["frames"]) == 24
    image, alt, text = data["frames"]["2,0,1"]
    assert alt == "A line (angle = 90.00, relu after = off, kind = fancy)."
    page = bundle["text/html"]
    # keyboard-operable native controls, each with its <label>
    for kind, cid in [('type="range"', "angle"), ('type="checkbox"', "relu"),
                      ("select", "kind")]:
        assert re.search(rf'<label for="([^"]+-{cid})">.*?<(input {kind}|'
                         rf'{kind}) id="\1"', page)
    assert 'checked' in page and '<option value="1" selected>fancy' in page
    # the default frame is shown first, its alt names the default values
    assert 'alt="A line (angle = 30.00, relu after = on, kind = fancy)."' in page
    assert "data:image/png;base64," in page and "<script>" in page
    assert "http" not in page.replace("https://", "")  # nothing to fetch
    assert "scale" in page  # the note names the control left at its default
    assert bundle["text/plain"].startswith("Explorer draw at angle = 30.00")


def test_explore_static_keeps_printed_text_and_reuses_equal_frames(
        monkeypatch):
    shown = _static(monkeypatch)
    interactive.explore(lambda n, note: _line(1, note=f"n is {n}"),
                        n=(0, 10), note="x", playable={"n": [0, 5, 10]})
    data = _frames(shown[0])
    # three frames with the same figure: one image, the default's in <img>
    assert data["images"] == [""]
    assert [f[2] for f in data["frames"].values()] == ["n is 0", "n is 5",
                                                      "n is 10"]
    assert "n is 5" in shown[0]["text/plain"]
    assert "object at 0x" not in shown[0]["text/plain"]


def test_explore_static_shows_text_alone_when_nothing_is_drawn(monkeypatch):
    shown = _static(monkeypatch)
    interactive.explore(lambda flag: print("no figure"), flag=True)
    page = shown[0]["text/html"]
    assert re.search(r'<img class="book-explorer-figure" src="" alt="[^"]+" '
                     r'hidden>', page)
    assert ">no figure</pre>" in page


def test_explore_static_uses_ipywidgets_defaults_for_abbreviations(
        monkeypatch):
    _static(monkeypatch)
    calls = []
    interactive.explore(lambda n, size, flag=False: calls.append((n, size, flag)),
                        n=(0, 10), size=(0.0, 1.0), flag=True, playable=[])
    assert calls == [(5, 0.5, True)]


def test_explore_static_output_is_the_same_on_every_run(monkeypatch):
    shown = _static(monkeypatch)
    for _ in range(2):
        interactive.explore(lambda v: _line(v), v=(1, 3))
    assert shown[0] == shown[1]


@pytest.mark.parametrize("make, kind", [
    (lambda w: w.Text(value="4, 1", description="shape"), "Text"),
    (lambda w: w.IntRangeSlider(value=(2, 5), min=0, max=9), "IntRangeSlider"),
])
def test_explore_names_a_control_it_cannot_make_playable(monkeypatch, make,
                                                         kind):
    import ipywidgets

    _static(monkeypatch)
    with pytest.raises(ValueError, match=rf"control 'shape_x' .*{kind}.*"
                                         r"cannot be made playable"):
        interactive.explore(lambda shape_x: None, shape_x=make(ipywidgets))
    # listed values make it playable (a <select>) ...
    shown = _static(monkeypatch)
    value = make(ipywidgets).value
    interactive.explore(lambda shape_x: None, shape_x=make(ipywidgets),
                        playable={"shape_x": [value]})
    assert "<select" in shown[0]["text/html"]
    # ... and live it is an ordinary widget
    monkeypatch.delenv(interactive.STATIC_ENV_VAR)
    panel = interactive.explore(lambda shape_x: None, shape_x=make(ipywidgets))
    assert isinstance(panel, ipywidgets.interactive)


def test_explore_rejects_unknown_or_bad_playable_values(monkeypatch):
    import ipywidgets

    _static(monkeypatch)
    slider = ipywidgets.IntSlider(value=1, min=0, max=3)
    with pytest.raises(ValueError, match=r"\['speed'\], which are not controls"):
        interactive.explore(lambda n: None, n=slider, playable=["speed"])
    with pytest.raises(ValueError, match="'n'.*7 is outside its range"):
        interactive.explore(lambda n: None, n=slider, playable={"n": [0, 7]})
    with pytest.raises(ValueError, match="non-empty list"):
        interactive.explore(lambda n: None, n=slider, playable={"n": []})
    with pytest.raises(TypeError, match="playable must be"):
        interactive.explore(lambda n: None, n=slider, playable=3)


def test_explore_refuses_a_frame_budget_over_the_limit(monkeypatch):
    import ipywidgets

    _static(monkeypatch)
    calls = []
    sliders = {name: ipywidgets.IntSlider(value=0, min=0, max=99)
               for name in "abc"}
    with pytest.raises(ValueError, match=r"125 frames \(a 5 x b 5 x c 5\)"):
        interactive.explore(lambda **kw: calls.append(kw), **sliders)
    assert calls == []  # refused before drawing anything
    monkeypatch.setattr(interactive, "MAX_EXPLORER_BYTES", 10_000)
    with pytest.raises(ValueError, match=r"over the budget of 0.01 MB"):
        interactive.explore(lambda v: _line(v), v=(1, 9))


def test_explore_builds_live_widgets_without_the_variable(monkeypatch):
    import ipywidgets

    monkeypatch.delenv(interactive.STATIC_ENV_VAR, raising=False)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    calls = []
    panel = interactive.explore(lambda scale: calls.append(scale),
                                scale=ipywidgets.FloatSlider(value=2.0, min=0, max=4),
                                playable=[], alt="ignored live")
    assert isinstance(panel, ipywidgets.interactive)
    assert len(panel.children) == 2  # every control, and the output area
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
