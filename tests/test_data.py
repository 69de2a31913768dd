"""load_mnist: the local file, the Keras fallback, and every kind of bad input."""

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import helpers.data as data
from helpers.data import MNISTError, load_mnist, validate_mnist

REAL_DOWNLOAD = data._download_with_keras
# The genuine file: the one CI configures, else the project's shared copy beside the repository.
REAL_MNIST = Path(os.environ.get(data.ENV_VAR) or
                  Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz")


def small_arrays(**overrides):
    """Arrays of the right shapes and dtypes (zeros are enough for the checks)."""
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.arange(60000, dtype=np.uint8) % 10,
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.arange(10000, dtype=np.uint8) % 10,
    }
    arrays.update(overrides)
    return arrays


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No MNIST_NPZ, no data/mnist.npz reachable, and a Keras that must not be called."""
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(data, "_candidate_paths", lambda: [tmp_path / "data" / "mnist.npz"])

    def no_download():
        raise AssertionError("the Keras download must not be used here")

    monkeypatch.setattr(data, "_download_with_keras", no_download)
    return tmp_path


def write_npz(path, **arrays):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


def test_reads_the_file_named_by_the_environment_variable(isolated, monkeypatch):
    path = write_npz(isolated / "somewhere" / "m.npz", **small_arrays())
    monkeypatch.setenv(data.ENV_VAR, str(path))
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.dtype == np.uint8 and y_test[:3].tolist() == [0, 1, 2]


def test_reads_data_mnist_npz_when_no_variable_is_set(isolated):
    write_npz(isolated / "data" / "mnist.npz", **small_arrays())
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (60000, 28, 28)


def test_candidate_paths_include_cwd_parent_and_repository():
    paths = data._candidate_paths()
    assert Path.cwd() / "data" / "mnist.npz" in paths
    assert Path.cwd().parent / "data" / "mnist.npz" in paths
    assert Path(data.__file__).resolve().parents[1] / "data" / "mnist.npz" in paths


def test_falls_back_to_keras_when_nothing_is_configured(isolated, monkeypatch):
    arrays = small_arrays()
    monkeypatch.setattr(data, "_download_with_keras", lambda: arrays)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train is arrays["x_train"] and y_test is arrays["y_test"]


def test_the_keras_download_is_validated_too(isolated, monkeypatch):
    monkeypatch.setattr(data, "_download_with_keras",
                        lambda: small_arrays(y_test=np.zeros(9999, np.uint8)))
    with pytest.raises(MNISTError, match="Keras download.*y_test.*shape"):
        load_mnist()


def test_no_network_and_no_local_copy_names_the_fix(isolated, monkeypatch):
    import keras

    def offline():
        raise OSError("Temporary failure in name resolution")

    # the real download path, with Keras failing as it does without a network
    monkeypatch.setattr(data, "_download_with_keras", REAL_DOWNLOAD)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MNISTError) as info:
        load_mnist()
    message = str(info.value)
    assert "could not download" in message and "name resolution" in message
    assert data.ENV_VAR in message and "data/mnist.npz" in message


def test_missing_file_named_by_the_variable(isolated, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(isolated / "nope.npz"))
    with pytest.raises(MNISTError, match=r"MNIST_NPZ is set to .*nope\.npz.*no file"):
        load_mnist()


def test_truncated_file(isolated, monkeypatch):
    good = write_npz(isolated / "good.npz", **small_arrays())
    truncated = isolated / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    monkeypatch.setenv(data.ENV_VAR, str(truncated))
    with pytest.raises(MNISTError, match=r"truncated\.npz could not be read.*truncated"):
        load_mnist()


def test_not_a_zip_at_all(isolated, monkeypatch):
    path = isolated / "text.npz"
    path.write_text("hello, I am not MNIST")
    monkeypatch.setenv(data.ENV_VAR, str(path))
    with pytest.raises(MNISTError, match="could not be read"):
        load_mnist()


def test_damaged_member_inside_a_valid_zip(isolated, monkeypatch):
    path = isolated / "damaged.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(name + ".npy", b"\x93NUMPY garbage")
    monkeypatch.setenv(data.ENV_VAR, str(path))
    with pytest.raises(MNISTError, match="damaged.npz could not be read"):
        load_mnist()


def test_missing_array(isolated, monkeypatch):
    arrays = small_arrays()
    del arrays["y_test"]
    monkeypatch.setenv(data.ENV_VAR, str(write_npz(isolated / "m.npz", **arrays)))
    with pytest.raises(MNISTError, match=r"m\.npz is not an MNIST file.*y_test"):
        load_mnist()


@pytest.mark.parametrize("name, bad, pattern", [
    ("x_train", np.zeros((60000, 28, 27), np.uint8), r"'x_train' has shape \(60000, 28, 27\)"),
    ("x_test", np.zeros((100, 28, 28), np.uint8), r"'x_test' has shape \(100, 28, 28\)"),
    ("x_train", np.zeros((60000, 28, 28), np.float32), r"'x_train' has dtype float32"),
    ("y_train", np.zeros(60000, np.int64), r"'y_train' has dtype int64"),
    ("y_test", np.full(10000, 10, np.uint8), r"labels in 'y_test' must be digits 0-9, found 10"),
])
def test_wrong_shapes_dtypes_and_labels(isolated, monkeypatch, name, bad, pattern):
    path = write_npz(isolated / "m.npz", **small_arrays(**{name: bad}))
    monkeypatch.setenv(data.ENV_VAR, str(path))
    with pytest.raises(MNISTError, match=pattern) as info:
        load_mnist()
    assert str(path) in str(info.value) and data.ENV_VAR in str(info.value)


def test_a_bad_file_is_left_untouched(isolated, monkeypatch):
    path = isolated / "bad.npz"
    path.write_bytes(b"PK\x03\x04 not really")
    before = path.read_bytes()
    monkeypatch.setenv(data.ENV_VAR, str(path))
    with pytest.raises(MNISTError):
        load_mnist()
    assert path.read_bytes() == before


def test_validate_mnist_accepts_good_arrays():
    validate_mnist(small_arrays(), "test arrays")


@pytest.mark.skipif(not REAL_MNIST.is_file(), reason=f"the genuine MNIST is not at {REAL_MNIST}")
def test_genuine_mnist_matches_the_published_facts(monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(REAL_MNIST))
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert round(float(x_train.mean()), 4) == 33.3184
    assert round(float(x_test.mean()), 4) == 33.7912
