"""Benchmark for chapter 8: five ways to train the same MNIST network, on one machine.

    (a) keras          Keras `fit`, exactly as in chapter 1 (Adam, batch 128);
    (b) gradient_tape  the classic reimplementation of sections 8.2-8.5: NaiveDense and
                       a `tf.GradientTape` training step (classic setup: uniform init,
                       plain SGD at learning rate 1e-3, compiled with tf.function);
    (c) numpy          the from-scratch NumPy network of chapter 8: hand-derived backprop
                       and its own SGD with momentum 0.9 (learning rate 0.2 decaying
                       linearly to 0), as the chapter trains it;
    (d) engine         the chapter 7 autodiff engine (helpers.engine_net): the same network
                       and recipe as (c), but the gradients come from `loss.backward()`
                       on the recorded graph instead of hand-derived backprop;
    (e) jax            the same network and recipe in JAX (helpers.jax_net): a pure loss
                       function, `jax.value_and_grad` and a `jax.jit`-compiled step (its
                       time includes the compilation, as (a)'s includes tf.function's).

Each trains 784 -> 512 relu -> 10 on the same data for the same number of epochs.
Reported per system: wall seconds per epoch (training only), samples per second,
test accuracy, and achieved GFLOP/s -- the matrix-product work one training step
needs (forward pass, gradients of every weight, gradient of the hidden layer; the
same nominal count for all five) divided by the wall time. Beside them: the
machine's measured `np.matmul` peak (float32 square matrices, best of several runs).

Targets for (c): test accuracy >= (a)'s, wall time <= 0.6 x (a)'s, and at least 50%
of the matmul peak. For (d): wall time <= 1.5 x (c)'s (what the engine's bookkeeping
costs over hand-written backprop). For (e): test accuracy >= (a)'s. It is a benchmark,
not a test: it reports, it does not fail.

    python benchmarks/train_mnist.py                 # full MNIST, 5 epochs, a table
    python benchmarks/train_mnist.py --json          # the same as one JSON object
    python benchmarks/train_mnist.py --repeats 3     # each system's fastest of 3 runs
    python benchmarks/train_mnist.py --epochs 1 --train-samples 2000 --test-samples 500

MNIST comes from `helpers.load_mnist()` (set MNIST_NPZ to use a local copy).
The machine's other load changes the numbers: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np

import helpers
from helpers import numpy_net
from helpers.data import load_mnist

SYSTEMS = ("keras", "gradient_tape", "numpy", "engine", "jax")
HIDDEN, CLASSES, INPUTS = 512, 10, 28 * 28


def training_flops_per_sample(sizes=(INPUTS, HIDDEN, CLASSES)) -> int:
    """Multiply-adds x 2 of one sample's training step: forward, weight gradients, and the
    gradient flowing into every layer but the first (nothing needs d loss / d images)."""
    pairs = list(zip(sizes, sizes[1:]))
    forward = sum(2 * a * b for a, b in pairs)
    weight_grads = forward
    input_grads = sum(2 * a * b for a, b in pairs[1:])
    return forward + weight_grads + input_grads


def matmul_peak_gflops(n=2048, repeats=5) -> float:
    """Best GFLOP/s of np.matmul on two float32 n x n matrices."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    np.matmul(a, b, out=out)  # warm-up: threads started, pages touched
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def load_data(train_samples, test_samples):
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    def prepare(images):
        return images.reshape(len(images), INPUTS).astype(np.float32) / 255
    return (prepare(train_images[:train_samples]), train_labels[:train_samples],
            prepare(test_images[:test_samples]), test_labels[:test_samples])


def run_keras(keras, data, epochs, batch_size, seed):
    train_x, train_y, test_x, test_y = data
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(INPUTS,)),
        keras.layers.Dense(HIDDEN, activation="relu"),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(train_x, train_y, epochs=epochs, batch_size=batch_size, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(test_x, test_y, verbose=0)
    return seconds, float(accuracy)


def run_gradient_tape(keras, data, epochs, batch_size, seed):
    from helpers import naive_keras

    train_x, train_y, test_x, test_y = data
    keras.utils.set_random_seed(seed)
    model = naive_keras.classic_model(HIDDEN, seed=seed)  # seeded initializers, as in 8.2
    start = time.perf_counter()
    naive_keras.fit(model, train_x, train_y, epochs=epochs, batch_size=batch_size,
                    learning_rate=1e-3, print_every=0)
    seconds = time.perf_counter() - start
    return seconds, naive_keras.evaluate(model, test_x, test_y)


def run_numpy(data, epochs, batch_size, seed):
    train_x, train_y, test_x, test_y = data
    network = numpy_net.Network([INPUTS, HIDDEN, CLASSES], seed=seed)
    total_steps = epochs * math.ceil(len(train_x) / batch_size)
    optimizer = numpy_net.SGD(network.params, learning_rate=0.2, momentum=0.9,
                              decay_steps=total_steps)
    start = time.perf_counter()
    numpy_net.fit(network, optimizer, train_x, train_y, epochs=epochs, batch_size=batch_size,
                  seed=seed, print_every=0)
    seconds = time.perf_counter() - start
    return seconds, numpy_net.evaluate(network, test_x, test_y)


def run_engine(data, epochs, batch_size, seed):
    from helpers import engine_net

    train_x, train_y, test_x, test_y = data
    model = engine_net.MLP((INPUTS, HIDDEN, CLASSES), seed=seed)
    start = time.perf_counter()  # fit's default optimizer: (c)'s recipe
    engine_net.fit(model, train_x, train_y, epochs=epochs, batch_size=batch_size, seed=seed)
    seconds = time.perf_counter() - start
    return seconds, engine_net.evaluate(model, test_x, test_y)


def run_jax(data, epochs, batch_size, seed):
    from helpers import jax_net

    train_x, train_y, test_x, test_y = data
    params = jax_net.init_params((INPUTS, HIDDEN, CLASSES), seed=seed)
    start = time.perf_counter()
    params, _ = jax_net.fit(params, train_x, train_y, epochs=epochs, batch_size=batch_size,
                            learning_rate=0.2, momentum=0.9, seed=seed)
    seconds = time.perf_counter() - start
    return seconds, jax_net.evaluate(params, test_x, test_y)


def benchmark(epochs=5, batch_size=128, train_samples=60_000, test_samples=10_000, seed=0,
              peak_size=2048, repeats=1, log=print):
    """Run the five systems and return the results as a dict (the JSON object).

    With ``repeats > 1`` the five systems train in turn, ``repeats`` times
    over, each time from the same seed: a system's time is its fastest run (the
    one least disturbed by the machine's other work) and its accuracy the mean.
    """
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    data = load_data(train_samples, test_samples)
    n_train = len(data[0])
    flops_per_epoch = training_flops_per_sample() * n_train
    peaks = [matmul_peak_gflops(peak_size)]
    keras = helpers.import_keras()
    runs = {name: [] for name in SYSTEMS}
    for repeat in range(repeats):
        for name in SYSTEMS:
            log(f"training {name} (run {repeat + 1} of {repeats}) ...")
            if name == "numpy":
                peaks.append(matmul_peak_gflops(peak_size))  # in the state the NumPy run meets
                runs[name].append(run_numpy(data, epochs, batch_size, seed))
            elif name in ("engine", "jax"):
                runner = run_engine if name == "engine" else run_jax
                runs[name].append(runner(data, epochs, batch_size, seed))
            else:
                runner = run_keras if name == "keras" else run_gradient_tape
                runs[name].append(runner(keras, data, epochs, batch_size, seed))
    results = {}
    for name in SYSTEMS:
        per_epoch = min(seconds for seconds, _ in runs[name]) / epochs
        results[name] = {
            "seconds_per_epoch": per_epoch,
            "samples_per_second": n_train / per_epoch,
            "test_accuracy": float(np.mean([accuracy for _, accuracy in runs[name]])),
            "gflops": flops_per_epoch / per_epoch / 1e9,
        }
    peak = max(peaks)
    a, c, d, e = (results[name] for name in ("keras", "numpy", "engine", "jax"))
    results["matmul_peak_gflops"] = peak
    results["targets"] = {
        "numpy_accuracy_at_least_keras": c["test_accuracy"] >= a["test_accuracy"],
        "numpy_time_at_most_0.6_keras": c["seconds_per_epoch"] <= 0.6 * a["seconds_per_epoch"],
        "numpy_at_least_half_matmul_peak": c["gflops"] >= 0.5 * peak,
        "engine_time_at_most_1.5_numpy": d["seconds_per_epoch"] <= 1.5 * c["seconds_per_epoch"],
        "jax_accuracy_at_least_keras": e["test_accuracy"] >= a["test_accuracy"],
    }
    results["setup"] = {
        "epochs": epochs, "batch_size": batch_size, "train_samples": n_train,
        "test_samples": len(data[2]), "seed": seed, "repeats": repeats,
        "training_gflop_per_epoch": flops_per_epoch / 1e9,
        "cpu_count": os.cpu_count(), "load_average_at_start": load_before,
        "numpy": np.__version__, "keras": keras.__version__, "jax": _jax_version(),
        "python": platform.python_version(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }
    return results


def _jax_version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jax")
    except PackageNotFoundError:
        return None


def table(results) -> str:
    names = {"keras": "(a) Keras fit", "gradient_tape": "(b) GradientTape loop",
             "numpy": "(c) NumPy from scratch", "engine": "(d) autodiff engine",
             "jax": "(e) JAX jit loop"}
    peak = results["matmul_peak_gflops"]
    lines = ["| system | s / epoch | samples / s | test accuracy | GFLOP/s | % of matmul peak |",
             "|---|---:|---:|---:|---:|---:|"]
    for key in SYSTEMS:
        r = results[key]
        lines.append(f"| {names[key]} | {r['seconds_per_epoch']:.2f} | {r['samples_per_second']:,.0f} "
                     f"| {r['test_accuracy']:.4f} | {r['gflops']:.1f} | {100 * r['gflops'] / peak:.0f}% |")
    s = results["setup"]
    load = s["load_average_at_start"]
    load_text = "unknown" if load is None else f"{load:.2f}"
    a, c, d, e = (results[name] for name in ("keras", "numpy", "engine", "jax"))
    ratio = c["seconds_per_epoch"] / a["seconds_per_epoch"]
    engine_ratio = d["seconds_per_epoch"] / c["seconds_per_epoch"]
    met = results["targets"]
    mark = {True: "met", False: "NOT met"}
    lines += [
        "",
        f"np.matmul peak (float32): {peak:.1f} GFLOP/s; training work: "
        f"{s['training_gflop_per_epoch']:.1f} GFLOP per epoch; {s['epochs']} epoch(s), batch "
        f"{s['batch_size']}, {s['train_samples']:,} training / {s['test_samples']:,} test samples; "
        f"fastest of {s['repeats']} run(s) each; {s['cpu_count']} CPU(s), load average at start "
        f"{load_text}",
        "Targets for (c):",
        f"  accuracy >= (a)'s: {c['test_accuracy']:.4f} vs {a['test_accuracy']:.4f}: "
        f"{mark[met['numpy_accuracy_at_least_keras']]}",
        f"  wall time <= 0.6 x (a)'s: {ratio:.2f} x: {mark[met['numpy_time_at_most_0.6_keras']]}",
        f"  >= 50% of the matmul peak: {100 * c['gflops'] / peak:.0f}%: "
        f"{mark[met['numpy_at_least_half_matmul_peak']]}",
        "Target for (d):",
        f"  wall time <= 1.5 x (c)'s: {engine_ratio:.2f} x: "
        f"{mark[met['engine_time_at_most_1.5_numpy']]}",
        "Target for (e):",
        f"  accuracy >= (a)'s: {e['test_accuracy']:.4f} vs {a['test_accuracy']:.4f}: "
        f"{mark[met['jax_accuracy_at_least_keras']]}",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--train-samples", type=int, default=60_000,
                        help="train on the first N training images (default: all 60,000)")
    parser.add_argument("--test-samples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peak-size", type=int, default=2048,
                        help="matrix size for the np.matmul peak measurement")
    parser.add_argument("--repeats", type=int, default=1,
                        help="train every system this many times; report each one's fastest run")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "train_samples", "test_samples", "peak_size", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")

    def log(message):
        print(message, file=sys.stderr, flush=True)

    results = benchmark(args.epochs, args.batch_size, args.train_samples, args.test_samples,
                        args.seed, args.peak_size, args.repeats, log=log)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
