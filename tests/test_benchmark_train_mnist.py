"""benchmarks/train_mnist.py: a smoke run (one epoch on a slice of MNIST) of the real
command line, its JSON keys for all five systems, its table, and its FLOP count. Not a
timing test."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "train_mnist.py"
# The genuine MNIST, as in test_data.py: the file CI configures, else the project's shared copy.
REAL_MNIST = Path(os.environ.get("MNIST_NPZ") or ROOT.parent / "shared" / "data" / "mnist.npz")


def load_script():
    spec = importlib.util.spec_from_file_location("train_mnist", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smoke_results():
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--epochs", "1", "--train-samples", "2000",
         "--test-samples", "500", "--peak-size", "256", "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "MNIST_NPZ": str(REAL_MNIST)} if REAL_MNIST.is_file() else None)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)


def test_smoke_run_reports_every_system(smoke_results):
    assert {"keras", "gradient_tape", "numpy", "engine", "jax",
            "matmul_peak_gflops"} <= set(smoke_results)
    assert smoke_results["matmul_peak_gflops"] > 0
    for name in ("keras", "gradient_tape", "numpy", "engine", "jax"):
        r = smoke_results[name]
        assert {"seconds_per_epoch", "test_accuracy", "gflops", "samples_per_second"} <= set(r)
        assert r["seconds_per_epoch"] > 0 and r["gflops"] > 0
        assert r["samples_per_second"] == pytest.approx(2000 / r["seconds_per_epoch"])
        assert 0.0 <= r["test_accuracy"] <= 1.0
    # one epoch on 2,000 images already teaches the Adam-trained networks something
    assert smoke_results["keras"]["test_accuracy"] > 0.6
    assert smoke_results["numpy"]["test_accuracy"] > 0.6
    # the engine and JAX train the same network with (c)'s recipe, from the same weights
    assert smoke_results["engine"]["test_accuracy"] > 0.6
    assert smoke_results["jax"]["test_accuracy"] > 0.6
    assert abs(smoke_results["engine"]["test_accuracy"]
               - smoke_results["numpy"]["test_accuracy"]) <= 0.01
    setup = smoke_results["setup"]
    assert (setup["epochs"], setup["train_samples"], setup["test_samples"]) == (1, 2000, 500)
    assert setup["repeats"] == 1
    assert set(smoke_results["targets"]) == {
        "numpy_accuracy_at_least_keras", "numpy_time_at_most_0.6_keras",
        "numpy_at_least_half_matmul_peak", "engine_time_at_most_1.5_numpy",
        "jax_accuracy_at_least_keras"}


def test_table_shows_the_same_numbers_and_the_targets(smoke_results):
    text = load_script().table(smoke_results)
    assert text.startswith("| system | s / epoch | samples / s | test accuracy | GFLOP/s |")
    assert f"{smoke_results['numpy']['test_accuracy']:.4f}" in text
    assert f"{smoke_results['matmul_peak_gflops']:.1f} GFLOP/s" in text
    assert text.count("met") >= 5 and "Targets for (c):" in text
    assert "Target for (d):" in text and "Target for (e):" in text
    for label in ("(d) autodiff engine", "(e) JAX jit loop"):
        assert label in text
    assert f"{smoke_results['jax']['test_accuracy']:.4f}" in text


def test_flop_count_of_one_training_step():
    module = load_script()
    # forward 2 (784*512 + 512*10), weight gradients the same, hidden-layer gradient 2*512*10
    assert module.training_flops_per_sample() == 4 * (784 * 512 + 512 * 10) + 2 * 512 * 10
    assert module.training_flops_per_sample((3, 4)) == 4 * 3 * 4


@pytest.mark.parametrize("option", ["--batch-size", "--repeats", "--epochs"])
def test_bad_arguments_are_refused(option):
    completed = subprocess.run([sys.executable, str(SCRIPT), option, "0"],
                               capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert completed.returncode == 2 and f"{option} must be at least 1" in completed.stderr
