"""Chapter 2's exercise checkers accept right answers and explain wrong ones."""

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict
from helpers.exercises import ch02


def test_slice_shape():
    assert ch02.check_slice_shape((1000, 14, 20))
    assert ch02.check_slice_shape([1000, 14, 20])  # a list is a fine way to write a shape
    assert ch02.check_slice_shape(np.zeros((1000, 14, 20)).shape)
    assert ch02.check_slice_shape(...) is NO_ANSWER
    assert "last 1000" in ch02.check_slice_shape((59000, 14, 20)).message
    assert "every second row" in ch02.check_slice_shape((1000, 28, 20)).message
    assert "4 columns at each end" in ch02.check_slice_shape((1000, 14, 24)).message
    assert "rank 3" in ch02.check_slice_shape((1000, 280)).message
    assert "tuple of ints" in ch02.check_slice_shape("(1000, 14, 20)").message
    assert not ch02.check_slice_shape((1000.0, 14.0, 20.0))
    assert not ch02.check_slice_shape((True, 14, 20))


def test_get_batch():
    def right(images, n, batch_size=128):
        return images[batch_size * n:batch_size * (n + 1)]

    def off_by_one(images, n, batch_size=128):
        return images[batch_size * (n + 1):batch_size * (n + 2)]

    def always_full(images, n, batch_size=128):
        start = min(batch_size * n, len(images) - batch_size)
        return images[start:start + batch_size]

    def ignores_size(images, n, batch_size=128):
        return images[128 * n:128 * (n + 1)]

    def in_place(images, n, batch_size=128):
        images[0] = -1
        return images[batch_size * n:batch_size * (n + 1)]

    def crashes(images, n, batch_size=128):
        raise IndexError("boom")

    assert ch02.check_get_batch(right)
    assert ch02.check_get_batch(lambda im, n, bs=128: list(right(im, n, bs)))
    assert "counted from 0" in ch02.check_get_batch(off_by_one).message
    assert "leftover" in ch02.check_get_batch(always_full).message
    assert not ch02.check_get_batch(ignores_size)
    assert "changed its input" in ch02.check_get_batch(in_place).message
    assert "IndexError: boom" in ch02.check_get_batch(crashes).message
    assert "No answer" in ch02.check_get_batch(lambda images, n, batch_size=128: None).message
    copy = ch02.check_get_batch(lambda im, n, bs=128: right(im, n, bs).copy())
    assert copy, "a copy of the right samples is a right answer"


def test_reference_batch_covers_every_sample_once():
    images = np.arange(60000)
    batches = [ch02.reference_batch(images, n) for n in range(469)]
    assert [len(b) for b in batches] == [128] * 468 + [96]
    assert np.array_equal(np.concatenate(batches), images)
    assert len(ch02.reference_batch(images, 469)) == 0


def test_to_channels_first():
    assert ch02.check_to_channels_first(lambda b: np.moveaxis(b, -1, 1))
    assert ch02.check_to_channels_first(lambda b: np.transpose(b, (0, 3, 1, 2)))
    assert ch02.check_to_channels_first(lambda b: np.moveaxis(b, -1, 1).copy())
    reshaped = ch02.check_to_channels_first(
        lambda b: b.reshape(b.shape[0], b.shape[3], b.shape[1], b.shape[2]))
    assert not reshaped and "reshape" in reshaped.message
    swapped = ch02.check_to_channels_first(lambda b: np.transpose(b, (0, 3, 2, 1)))
    assert not swapped and "should become" in swapped.message

    def in_place(b):
        b[...] = 0
        return np.moveaxis(b, -1, 1)

    assert "changed its input" in ch02.check_to_channels_first(in_place).message
    assert "No answer" in ch02.check_to_channels_first(lambda b: None).message
    assert "raised" in ch02.check_to_channels_first(lambda b: b.nope()).message


def test_audio_tensor():
    assert ch02.check_audio_tensor((1000, 960_000, 2), 7_680_000_000)
    assert ch02.check_audio_tensor([1000, 960_000, 2], 7.68e9)
    assert ch02.check_audio_tensor(..., 1) is NO_ANSWER
    assert ch02.check_audio_tensor((1000, 960_000, 2), ...) is NO_ANSWER
    assert "wrong order" in ch02.check_audio_tensor((1000, 2, 960_000), 7_680_000_000).message
    assert "timesteps" in ch02.check_audio_tensor((1000, 16_000, 2), 1).message
    assert "rank 3" in ch02.check_audio_tensor((1000, 60, 16_000, 2), 1).message
    values_only = ch02.check_audio_tensor((1000, 960_000, 2), 1_920_000_000)
    assert not values_only and "4 bytes" in values_only.message
    assert not ch02.check_audio_tensor((1000, 960_000, 2), 3_840_000_000)  # float16 size
    assert "number of bytes" in ch02.check_audio_tensor((1000, 960_000, 2), "7.68 GB").message


def test_verdict_type():
    assert isinstance(ch02.check_slice_shape((1, 2, 3)), Verdict)


RIGHT = {"a": "view", "b": "copy", "c": "copy", "d": "view", "e": "view", "f": "copy"}


def test_view_or_copy_answers_are_measured():
    assert ch02.view_or_copy_answers() == RIGHT


def test_view_or_copy():
    assert ch02.check_view_or_copy(RIGHT)
    assert ch02.check_view_or_copy({k.upper(): v.upper() + " " for k, v in RIGHT.items()})
    assert ch02.check_view_or_copy(...) is NO_ANSWER
    assert ch02.check_view_or_copy(dict.fromkeys(RIGHT, ...)) is NO_ANSWER
    assert ch02.check_view_or_copy({**RIGHT, "f": ...}) is NO_ANSWER
    wrong = ch02.check_view_or_copy({**RIGHT, "b": "view"})
    assert not wrong and "5 of 6 right" in wrong.message and "(b)" in wrong.message
    assert "new memory" in wrong.message
    all_views = ch02.check_view_or_copy(dict.fromkeys(RIGHT, "view"))
    assert not all_views and "3 of 6" in all_views.message
    assert '"view" or "copy"' in ch02.check_view_or_copy({**RIGHT, "a": "maybe"}).message
    assert "dict" in ch02.check_view_or_copy(["view"] * 6).message
    partial = {k: v for k, v in RIGHT.items() if k != "c"}
    assert "missing ['c']" in ch02.check_view_or_copy(partial).message
    assert "Unknown letters ['g']" in ch02.check_view_or_copy({**RIGHT, "g": "view"}).message
