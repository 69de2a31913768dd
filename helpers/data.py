"""Loading MNIST (chapter 1, "A first look at a neural network").

`load_mnist()` returns exactly what `keras.datasets.mnist.load_data()` returns,
but reads a local copy first when one is configured, and checks what it loads.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

ENV_VAR = "MNIST_NPZ"
"""Environment variable naming a local ``mnist.npz`` to read instead of downloading."""

_EXPECTED = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

_FIX = (
    f"Fix: point the environment variable {ENV_VAR} at a standard mnist.npz "
    "(the four uint8 arrays x_train, y_train, x_test, y_test), put one at "
    "data/mnist.npz in the book's repository, or unset "
    f"{ENV_VAR} and remove the bad file to let Keras download MNIST. "
    "See data/README.md."
)


class MNISTError(RuntimeError):
    """MNIST could not be loaded: the message names the file and the fix."""


def _candidate_paths() -> list[Path]:
    """Places where a project-local ``data/mnist.npz`` may live."""
    package_root = Path(__file__).resolve().parent.parent
    cwd = Path.cwd()
    paths = [cwd / "data" / "mnist.npz", cwd.parent / "data" / "mnist.npz",
             package_root / "data" / "mnist.npz"]
    unique = []
    for path in paths:
        if path not in unique:
            unique.append(path)
    return unique


def find_local_mnist() -> Path | None:
    """Return the local MNIST file to use, or None when none is configured.

    The environment variable ``MNIST_NPZ`` wins; when it is set, the file it
    names must exist (a typo should not silently trigger a download).
    """
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise MNISTError(
                f"{ENV_VAR} is set to {configured!r}, but there is no file at "
                f"{path.resolve()}. {_FIX}"
            )
        return path
    for path in _candidate_paths():
        if path.is_file():
            return path
    return None


def validate_mnist(arrays: dict, source: str) -> None:
    """Check names, shapes, dtypes and label range of the four MNIST arrays.

    Raises `MNISTError` naming ``source`` (a file path or "the Keras download").
    """
    missing = [name for name in _EXPECTED if name not in arrays]
    if missing:
        raise MNISTError(
            f"{source} is not an MNIST file: it lacks the array(s) "
            f"{', '.join(missing)} (it has: {', '.join(sorted(arrays)) or 'none'}). {_FIX}"
        )
    for name, shape in _EXPECTED.items():
        array = arrays[name]
        if array.shape != shape:
            raise MNISTError(
                f"{source}: array {name!r} has shape {array.shape}, expected {shape}. {_FIX}"
            )
        if array.dtype != np.uint8:
            raise MNISTError(
                f"{source}: array {name!r} has dtype {array.dtype}, expected uint8. {_FIX}"
            )
    for name in ("y_train", "y_test"):
        labels = arrays[name]
        if labels.max() > 9:
            raise MNISTError(
                f"{source}: labels in {name!r} must be digits 0-9, found {int(labels.max())}. {_FIX}"
            )


def _read_npz(path: Path) -> dict:
    """Read every array of an .npz file fully, turning damage into MNISTError."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError,
            zipfile.LargeZipFile) as exc:
        raise MNISTError(
            f"{path} could not be read as an .npz file ({type(exc).__name__}: {exc}); "
            f"it may be truncated or not MNIST. {_FIX}"
        ) from exc


def _download_with_keras() -> dict:
    try:
        import keras
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MNISTError(
            "No local MNIST file is configured and Keras is not installed to download it. "
            f"Install keras and tensorflow (pip install keras tensorflow), or: {_FIX}"
        ) from exc
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # network errors come in many types
        raise MNISTError(
            "No local MNIST file is configured, and Keras could not download MNIST "
            f"({type(exc).__name__}: {exc}). Check the network connection, or: {_FIX}"
        ) from exc
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def load_mnist():
    """Load MNIST as ``(train_images, train_labels), (test_images, test_labels)``.

    The same arrays, in the same order, as ``keras.datasets.mnist.load_data()``:
    uint8 images of shape (60000, 28, 28) and (10000, 28, 28), uint8 labels 0-9.

    Reads the file named by ``$MNIST_NPZ``, else ``data/mnist.npz``, else
    downloads through Keras. Everything loaded is validated; any problem raises
    `MNISTError` with a message naming the file and the fix.
    """
    path = find_local_mnist()
    if path is not None:
        arrays = _read_npz(path)
        source = str(path)
    else:
        arrays = _download_with_keras()
        source = "the Keras download of MNIST"
    validate_mnist(arrays, source)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
