"""helpers.tensor_diagrams: the box diagrams of chapter 2 are drawn from the shapes they show."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from helpers import tensor_diagrams as td  # noqa: E402

sizes = st.integers(min_value=1, max_value=10**6)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def polygons(ax):
    return [p for p in ax.patches if isinstance(p, Polygon)]


def test_edge_length_is_log_scaled():
    assert td.edge_length(1) == 1.0
    assert td.edge_length(1000) == pytest.approx(4.0)
    assert td.edge_length(np.int64(10)) == pytest.approx(2.0)


@given(st.lists(sizes, min_size=2, max_size=2))
def test_edge_length_grows_with_size(pair):
    small, large = sorted(pair)
    assert td.edge_length(small) <= td.edge_length(large)


@given(st.floats(0.1, 10), st.floats(0.1, 10), st.floats(0.1, 10),
       st.floats(-5, 5), st.floats(-5, 5))
def test_box_faces_geometry(width, height, depth, x, y):
    faces = td.box_faces(width, height, depth, origin=(x, y))
    front, top, side = (np.array(faces[k]) for k in ("front", "top", "side"))
    assert np.allclose(front, [(x, y), (x + width, y), (x + width, y + height), (x, y + height)])
    dx, dy = td.depth_vector(depth)
    assert math.hypot(dx, dy) == pytest.approx(depth * td.DEPTH_SHRINK)
    assert math.degrees(math.atan2(dy, dx)) == pytest.approx(td.DEPTH_ANGLE_DEG)
    # each face is a parallelogram: opposite sides are equal vectors
    for face in (front, top, side):
        assert np.allclose(face[1] - face[0], face[2] - face[3])
    assert np.allclose(top[3] - top[0], (dx, dy)) and np.allclose(side[1] - side[0], (dx, dy))
    # the top face sits on the front's top edge, the side face on its right edge
    assert np.allclose(top[:2], front[[3, 2]]) and np.allclose(side[[0, 3]], front[[1, 2]])


@settings(max_examples=20, deadline=None)
@given(st.tuples(sizes, sizes, sizes))
def test_rank3_draws_one_labelled_box(shape):
    fig, ax = plt.subplots()
    try:
        td.draw_rank3(shape, ("samples", "timesteps", "features"), ax=ax)
        assert sorted(texts(ax)) == sorted([f"samples: {shape[0]:,}", f"timesteps: {shape[1]:,}",
                                            f"features: {shape[2]:,}"])
        boxes = polygons(ax)
        assert len(boxes) == 3
        front = boxes[0].get_xy()[:4]
        assert np.ptp(front[:, 0]) == pytest.approx(td.edge_length(shape[1]))
        assert np.ptp(front[:, 1]) == pytest.approx(td.edge_length(shape[2]))
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        for p in boxes:
            xy = p.get_xy()
            assert (xy[:, 0] > x0).all() and (xy[:, 0] < x1).all()
            assert (xy[:, 1] > y0).all() and (xy[:, 1] < y1).all()
    finally:
        plt.close(fig)


def test_rank4_draws_first_and_last_samples(ax):
    td.draw_rank4((128, 256, 256, 3), ("samples", "height", "width", "channels"), ax=ax)
    labels = texts(ax)
    for expected in ("samples[0]", "samples[1]", "samples[127]", "…", "samples: 128",
                     "height: 256", "width: 256", "channels: 3"):
        assert expected in labels
    assert "samples[2]" not in labels
    boxes = polygons(ax)
    assert len(boxes) == 3 * 3 * 3  # 3 samples x 3 channel slabs x 3 faces
    red, green, blue = (matplotlib.colors.to_rgb(c) for c in td.CHANNEL_COLORS[3])
    fronts = {tuple(np.round(p.get_facecolor()[:3], 6)) for p in boxes[::3]}
    assert fronts == {tuple(np.round(c, 6)) for c in (red, green, blue)}


def test_rank4_small_batch_has_no_ellipsis(ax):
    shape = [2, 28, 28, 1]
    td.draw_rank4(shape, ["samples", "height", "width", "channels"], ax=ax, shown=3)
    assert shape == [2, 28, 28, 1], "the shape passed in is not modified"
    assert "…" not in texts(ax) and "samples[1]" in texts(ax)
    assert len(polygons(ax)) == 2 * 3


def test_draws_on_current_axes_by_default(ax):
    assert td.draw_rank3((2, 3, 4), "abc") is ax
    assert td.draw_rank4((2, 3, 4, 5), "abcd") is ax


@pytest.mark.parametrize("call, error, message", [
    (lambda: td.draw_rank3((2, 3), ("a", "b", "c")), ValueError, r"rank-3 .* got shape \(2, 3\)"),
    (lambda: td.draw_rank4((2, 3, 4), "abcd"), ValueError, r"rank-4 .* got shape \(2, 3, 4\)"),
    (lambda: td.draw_rank3((2, 0, 4), "abc"), ValueError, r"axis 1 of shape \(2, 0, 4\) must be at least 1"),
    (lambda: td.draw_rank3((2, 3.5, 4), "abc"), TypeError, r"axis 1 of shape .* must be an int"),
    (lambda: td.draw_rank3((2, 3, 4), ("a", "b")), ValueError, r"shape \(2, 3, 4\) has 3 axes but 2 names"),
    (lambda: td.draw_rank3((2, 3, 4), ("a", "b", 3)), TypeError, "axis names must be strings"),
    (lambda: td.draw_rank3(5, "abc"), TypeError, "must be sequences"),
    (lambda: td.draw_rank4((2, 3, 4, 5), "abcd", shown=1), ValueError, "shown must be at least 2"),
    (lambda: td.edge_length(0), ValueError, "size must be at least 1, got 0"),
    (lambda: td.edge_length(True), TypeError, "size must be an int"),
    (lambda: td.box_faces(1, -1, 1), ValueError, "box height must be positive, got -1"),
])
def test_bad_input(ax, call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------ timeseries figure

def test_weather_days_shape_dtype_and_determinism():
    series = td.weather_days()
    assert series.shape == (365, 96, 3) and series.dtype == np.float32
    assert np.array_equal(series, td.weather_days(seed=0))
    assert not np.array_equal(series, td.weather_days(seed=1))
    assert td.weather_days(7, 24, seed=3).shape == (7, 24, 3)
    temperature, humidity, wind = np.moveaxis(series, -1, 0)
    assert (wind >= 0).all() and (20 <= humidity).all() and (humidity <= 100).all()
    # summer afternoons are warmer than winter nights
    assert temperature[180:200, 56].mean() > temperature[0:20, 16].mean() + 8
    assert len(td.WEATHER_FEATURES) == series.shape[2]


@pytest.mark.parametrize("days, steps, error", [
    (0, 96, ValueError), (365, 0, ValueError), (2.5, 96, TypeError)])
def test_weather_days_bad_input(days, steps, error):
    with pytest.raises(error):
        td.weather_days(days, steps)


def lines_in(ax):
    return [line.get_xydata() for line in ax.get_lines()]


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 12), st.integers(2, 50), st.integers(1, 4), st.data())
def test_timeseries_figure_draws_the_data_and_marks_the_entry(days, steps, features, data):
    rng = np.random.default_rng(days * 100 + steps)
    series = rng.normal(size=(days, steps, features))
    d = data.draw(st.integers(0, days - 1))
    t = data.draw(st.integers(0, steps - 1))
    f = data.draw(st.integers(0, features - 1))
    fig = plt.figure()
    try:
        stack, day_axes = td.draw_timeseries_batch(series, (d, t, f), fig=fig)
        assert len(day_axes) == features
        for k, ax in enumerate(day_axes):
            curve = lines_in(ax)[0]
            assert np.allclose(curve[:, 0], np.arange(steps))
            assert np.allclose(curve[:, 1], series[d, :, k]), "the pulled-out day is day d"
        marker = lines_in(day_axes[f])[1]
        assert np.allclose(marker, [[t, series[d, t, f]]])
        label = f"series[{d}, {t}, {f}] = {series[d, t, f]:.1f}"
        assert label in texts(day_axes[f])
        words = texts(stack)
        assert f"axis 0: {days:,} days" in words and f"axis 1: {steps:,} timesteps" in words
        assert f"day {d}" in words and f"axis 2: {features} features" in words
        # the front slice carries day 0's curves, each rising where day 0 rises
        front = [line.get_xydata() for line in stack.get_lines()
                 if line.get_label().startswith("day 0, ")]
        assert len(front) == features
        for k, curve in enumerate(front):
            values = series[0, :, k]
            if np.ptp(values) > 0:
                assert np.argmax(curve[:, 1]) == np.argmax(values)
                assert np.argmin(curve[:, 1]) == np.argmin(values)
        # honest proportions: width and depth linear in the sizes of axes 1 and 0
        top = [p for p in polygons(stack)][0].get_xy()
        assert top[1, 0] - top[0, 0] == pytest.approx(steps)
        depth = np.hypot(*(top[3] - top[0]))
        assert depth == pytest.approx(0.3 * (days - 1))
    finally:
        plt.close(fig)


def test_timeseries_figure_names_features_and_hours():
    fig = plt.figure()
    try:
        series = td.weather_days(10, 96)
        stack, day_axes = td.draw_timeseries_batch(
            series, (3, 56, 0), feature_names=td.WEATHER_FEATURES, steps_per_hour=4)
        assert set(td.WEATHER_FEATURES) <= set(texts(stack))
        assert [ax.get_ylabel() for ax in day_axes] == list(td.WEATHER_FEATURES)
        assert list(day_axes[-1].get_xticks()) == [0, 24, 48, 72, 96]
        assert "4 per hour" in day_axes[-1].get_xlabel()
    finally:
        plt.close(fig)


@pytest.mark.parametrize("series, mark, kwargs, error, message", [
    (np.zeros((3, 4)), (0, 0, 0), {}, ValueError, r"rank 3 .* got shape \(3, 4\)"),
    (np.zeros((3, 0, 2)), (0, 0, 0), {}, ValueError, "at least one entry"),
    (np.array([[["a"]]]), (0, 0, 0), {}, TypeError, "must hold numbers"),
    (np.zeros((3, 4, 2)), (0, 4, 0), {}, ValueError, r"outside shape \(3, 4, 2\) .*axis 1"),
    (np.zeros((3, 4, 2)), (0, 0), {}, ValueError, r"mark must be an index"),
    (np.zeros((3, 4, 2)), 5, {}, TypeError, r"mark must be an index"),
    (np.zeros((3, 4, 2)), (0, 1.0, 0), {}, TypeError, r"mark\[1\] must be an int"),
    (np.zeros((3, 4, 2)), (0, 0, 0), {"feature_names": ["a"]}, ValueError, "2 features but 1 names"),
    (np.zeros((3, 4, 2)), (0, 0, 0), {"depth_scale": 0}, ValueError, "depth_scale must be positive"),
])
def test_timeseries_figure_bad_input(series, mark, kwargs, error, message):
    fig = plt.figure()
    try:
        with pytest.raises(error, match=message):
            td.draw_timeseries_batch(series, mark, fig=fig, **kwargs)
    finally:
        plt.close(fig)
