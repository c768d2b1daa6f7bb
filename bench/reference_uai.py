#!/usr/bin/python3
"""Time the UAI method in PyTorch, written independently of the C++ engine.

The computation has the engine's sizes: a denoising autoencoder or a classifier with hidden
layers 256, 64, 8, a logistic UAI layer on [latent; detached anomaly score], RMSprop with
TensorFlow 1 semantics written out by hand, batch 256, a verdict batch of up to 256 labeled
items on clean input, and rescoring in chunks of 1024 under inference mode. It prints the same
"figure:" lines as bench-core so that scripts/bench.sh can set them side by side. Which items
the fashion-mnist:0 construction keeps comes from this script's own RNG; only the sizes match.
"""

import argparse
import gzip
import os
import platform
import resource
import time

import numpy as np
import torch

FASHION_DIR = os.environ.get("UAI_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
HIDDEN = [256, 64, 8]
BATCH = 256
LEARNING_RATE = 0.01
INPUT_NOISE = 0.1
ROUND_STEPS = 100
SCORING_CHUNK = 1024
QUEUE_SIZE = 10


class Clock:
    """Wall and process CPU seconds at one moment."""

    def __init__(self):
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def since(self):
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def print_figure(name, value, unit):
    print(f"figure: {name:<36} = {value:12.4f} {unit}", flush=True)


def read_idx(path):
    with gzip.open(path, "rb") as stream:
        data = stream.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_class0(seed):
    """Build the 10%-of-class-0 set: classes 1..9 whole, a tenth of class 0 relabeled."""
    images = read_idx(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    rng = np.random.default_rng(seed)
    rare = np.flatnonzero(labels == 0)
    kept = rng.choice(rare, size=len(rare) // 10, replace=False)
    items = np.sort(np.concatenate([np.flatnonzero(labels != 0), kept]))
    classes = labels[items].copy()
    truth = classes == 0
    classes[truth] = rng.integers(1, 10, size=int(truth.sum()))
    features = images[items].reshape(len(items), -1).astype(np.float32) / 255.0
    return features, classes, truth, 10


def load_csv(path):
    """Read a CSV whose first column is the label; every other label than "nominal" is an
    anomaly. Columns are standardised; a constant column is only centred."""
    labels = np.loadtxt(path, delimiter=",", skiprows=1, usecols=0, dtype=str)
    with open(path) as stream:
        column_count = len(stream.readline().split(","))
    values = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, column_count),
                        dtype=np.float64, ndmin=2)
    scale = values.std(axis=0)
    scale[scale == 0] = 1.0
    features = ((values - values.mean(axis=0)) / scale).astype(np.float32)
    return features, None, labels != "nominal", 0


class Network:
    """Base model and UAI layer as plain tensors, initialised like TensorFlow's dense layers."""

    def __init__(self, model, inputs, classes, generator):
        self.model = model
        sizes = [inputs] + HIDDEN
        self.encoder = [self.dense(a, b, generator) for a, b in zip(sizes, sizes[1:])]
        if model == "dae":
            back = HIDDEN[::-1] + [inputs]
            self.decoder = [self.dense(a, b, generator) for a, b in zip(back, back[1:])]
        else:
            self.decoder = [self.dense(HIDDEN[-1], classes, generator)]
        self.uai = self.dense(HIDDEN[-1] + 1, 1, generator)

    @staticmethod
    def dense(inputs, outputs, generator):
        limit = (6.0 / (inputs + outputs)) ** 0.5
        weight = torch.empty(outputs, inputs).uniform_(-limit, limit, generator=generator)
        return [weight.requires_grad_(), torch.zeros(outputs, requires_grad=True)]

    def parameters(self):
        layers = self.encoder + self.decoder + [self.uai]
        return [tensor for layer in layers for tensor in layer]

    def encode(self, x):
        for i, (weight, bias) in enumerate(self.encoder):
            x = torch.addmm(bias, x, weight.t())
            if not (self.model == "dae" and i == len(self.encoder) - 1):
                x = torch.relu(x)
        return x

    def forward(self, x, classes, noise, generator=None):
        """Return the latent and the per-item base loss, which is the anomaly score."""
        if self.model == "dae":
            noisy = x
            if noise:
                noisy = x + torch.empty_like(x).normal_(0.0, INPUT_NOISE, generator=generator)
            latent = self.encode(noisy)
            out = latent
            for i, (weight, bias) in enumerate(self.decoder):
                out = torch.addmm(bias, out, weight.t())
                if i < len(self.decoder) - 1:
                    out = torch.relu(out)
            return latent, (out - x).pow(2).sum(1)
        latent = self.encode(x)
        weight, bias = self.decoder[0]
        logits = torch.addmm(bias, latent, weight.t())
        return latent, torch.nn.functional.cross_entropy(logits, classes, reduction="none")

    def uai_logit(self, latent, score):
        weight, bias = self.uai
        inputs = torch.cat([latent, score.detach().unsqueeze(1)], 1)
        return torch.addmm(bias, inputs, weight.t()).squeeze(1)


class TfRmsprop:
    """RMSprop as TensorFlow 1 defines it: ms starts at 1, epsilon inside the square root."""

    def __init__(self, parameters, lr, decay=0.9, epsilon=1e-10):
        self.parameters = parameters
        self.lr, self.decay, self.epsilon = lr, decay, epsilon
        self.mean_square = [torch.ones_like(p.detach()) for p in parameters]

    def zero_grad(self):
        for p in self.parameters:
            if p.grad is not None:
                p.grad.zero_()

    @torch.no_grad()
    def step(self):
        for p, ms in zip(self.parameters, self.mean_square):
            if p.grad is None:
                continue
            ms.mul_(self.decay).addcmul_(p.grad, p.grad, value=1.0 - self.decay)
            p.addcdiv_(p.grad, (ms + self.epsilon).sqrt_(), value=-self.lr)


class Loop:
    def __init__(self, model, features, classes, seed):
        self.generator = torch.Generator().manual_seed(seed)
        self.features = torch.from_numpy(features)
        self.classes = torch.from_numpy(classes) if classes is not None else None
        class_count = int(classes.max()) + 1 if classes is not None else 0
        self.net = Network(model, features.shape[1], class_count, self.generator)
        self.optimizer = TfRmsprop(self.net.parameters(), LEARNING_RATE)
        self.labeled = torch.empty(0, dtype=torch.int64)
        self.targets = torch.empty(0)
        self.unlabeled = np.ones(len(features), dtype=bool)

    def step(self):
        count = self.features.shape[0]
        rows = torch.randint(count, (min(BATCH, count),), generator=self.generator)
        batch_classes = self.classes.index_select(0, rows) if self.classes is not None else None
        _, item_loss = self.net.forward(
            self.features.index_select(0, rows), batch_classes, True, self.generator
        )
        base_loss = item_loss.mean()
        loss = base_loss
        verdict_value = 0.0
        if len(self.labeled) > 0:
            pick, targets = self.labeled, self.targets
            if len(pick) > BATCH:
                order = torch.randperm(len(pick), generator=self.generator)[:BATCH]
                pick, targets = pick.index_select(0, order), targets.index_select(0, order)
            pick_classes = self.classes.index_select(0, pick) if self.classes is not None else None
            latent, score = self.net.forward(self.features.index_select(0, pick), pick_classes, False)
            logits = self.net.uai_logit(latent, score)
            verdict_loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)
            loss = loss + verdict_loss
            verdict_value = verdict_loss.item()
        base_value = base_loss.item()
        if not (np.isfinite(base_value) and np.isfinite(verdict_value)):
            raise RuntimeError(f"training diverged: base loss {base_value}, verdict loss "
                               f"{verdict_value}")
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def train(self, steps):
        for _ in range(steps):
            self.step()

    def score(self):
        count = self.features.shape[0]
        latent_out = np.empty((count, HIDDEN[-1]), dtype=np.float32)
        score_out = np.empty(count, dtype=np.float32)
        logit_out = np.empty(count, dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, count, SCORING_CHUNK):
                end = min(start + SCORING_CHUNK, count)
                chunk_classes = self.classes[start:end] if self.classes is not None else None
                latent, score = self.net.forward(self.features[start:end], chunk_classes, False)
                logits = self.net.uai_logit(latent, score)
                latent_out[start:end] = latent.numpy()
                score_out[start:end] = score.numpy()
                logit_out[start:end] = logits.numpy()
        if not (np.isfinite(score_out).all() and np.isfinite(logit_out).all()):
            raise RuntimeError("rescoring produced a non-finite anomaly score")
        return latent_out, score_out, logit_out

    def select(self, key):
        """Return the QUEUE_SIZE unlabeled items with the highest key, highest first."""
        candidates = np.flatnonzero(self.unlabeled)
        values = key[candidates]
        take = min(QUEUE_SIZE, len(candidates))
        top = np.argpartition(-values, take - 1)[:take]
        order = np.lexsort((candidates[top], -values[top]))
        return candidates[top[order]]


def describe_machine():
    model = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} logical CPUs, {platform.platform()}"


def measure_matmul(name, rows, inner, columns, repetitions):
    a, b = torch.rand(rows, inner), torch.rand(inner, columns)
    c = torch.mm(a, b)
    flops = 2.0 * rows * inner * columns
    calls = max(1, int(2e9 / flops))
    wall_rates, cpu_rates = [], []
    for _ in range(repetitions):
        clock = Clock()
        for _ in range(calls):
            torch.mm(a, b, out=c)
        wall, cpu = clock.since()
        wall_rates.append(flops * calls / wall * 1e-9)
        cpu_rates.append(flops * calls / cpu * 1e-9)
    print_figure(f"mm_{name}_gflops_wall", np.median(wall_rates), "GFLOP/s")
    print_figure(f"mm_{name}_gflops_cpu", np.median(cpu_rates), "GFLOP per CPU-s")
    print_figure(f"mm_{name}_gflops_per_thread", np.median(wall_rates) / torch.get_num_threads(),
                 "GFLOP/s")


def layer_shapes(model, inputs, classes):
    """Return (inputs, outputs, in_encoder) per base layer, in forward order."""
    sizes = [inputs] + HIDDEN
    layers = [(a, b, True) for a, b in zip(sizes, sizes[1:])]
    if model == "dae":
        back = HIDDEN[::-1] + [inputs]
        layers += [(a, b, False) for a, b in zip(back, back[1:])]
    else:
        layers.append((HIDDEN[-1], classes, False))
    return layers


def train_step_flops(layers, batch, labeled):
    """Matmul FLOPs of one step, counted the same way as bench-core."""
    flops = 0.0
    for i, (a, b, in_encoder) in enumerate(layers):
        product = 2.0 * a * b
        backward = 1.0 if i == 0 else 2.0
        flops += batch * product * (1.0 + backward)
        flops += labeled * product * ((1.0 + backward) if in_encoder else 1.0)
    return flops


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="fashion-mnist:0",
                        help="fashion-mnist:0 or a CSV file with the label in the first column")
    parser.add_argument("--model", default="dae", choices=["dae", "class"])
    parser.add_argument("--steps", type=int, default=300, help="pretraining steps per repetition")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--labeled", type=int, default=200, help="items given a verdict")
    parser.add_argument("--threads", type=int,
                        default=int(os.environ.get("UAI_THREADS", "1") or 1))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    print(f"machine: {describe_machine()}")
    print(f"runtime: PyTorch {torch.__version__}, {torch.get_num_threads()} intra-op thread(s), "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}")
    print(f"program: reference_uai.py (Python {platform.python_version()}), "
          f"threads: {torch.get_num_threads()}")

    clock = Clock()
    if args.data == "fashion-mnist:0":
        features, classes, truth, class_count = load_fashion_class0(args.seed)
    else:
        features, classes, truth, class_count = load_csv(args.data)
    load_wall, _ = clock.since()
    if args.model == "class" and classes is None:
        parser.error("the classifier needs a class column; only fashion-mnist:0 has one here")
    loop = Loop(args.model, features, classes, args.seed)
    print(f"data: {args.data}, {features.shape[0]} items x {features.shape[1]} features, "
          f"model: {args.model}, batch {BATCH}, {args.labeled} labeled, "
          f"{args.repetitions} repetitions")
    print_figure("load_s_wall", load_wall, "s")

    rate_wall, rate_cpu = [], []
    for _ in range(args.repetitions):
        clock = Clock()
        loop.train(args.steps)
        wall, cpu = clock.since()
        rate_wall.append(args.steps / wall)
        rate_cpu.append(args.steps / cpu)

    stride = max(1, len(features) // args.labeled)
    items = np.arange(0, len(features), stride)[: args.labeled]
    targets = truth[items].astype(np.float32)
    targets[0] = 1.0
    loop.labeled = torch.from_numpy(items.astype(np.int64))
    loop.targets = torch.from_numpy(targets)
    loop.unlabeled[items] = False
    both_kinds = targets.min() == 0.0 and targets.max() == 1.0

    train, score, select, total = [], [], [], []
    for _ in range(args.repetitions):
        round_clock = Clock()
        loop.train(ROUND_STEPS)
        train.append(round_clock.since())
        clock = Clock()
        _, base_score, logit = loop.score()
        score.append(clock.since()[0])
        clock = Clock()
        loop.select(logit if both_kinds else base_score)
        select.append(clock.since()[0])
        total.append(round_clock.since())

    rescore = []
    for _ in range(args.repetitions):
        clock = Clock()
        _, base_score, logit = loop.score()
        loop.select(logit if both_kinds else base_score)
        rescore.append(clock.since())

    def wall_median(pairs):
        return float(np.median([pair[0] for pair in pairs]))

    def cpu_median(pairs):
        return float(np.median([pair[1] for pair in pairs]))

    print_figure("pretrain_steps_per_s_wall", np.median(rate_wall), "steps/s")
    print_figure("pretrain_steps_per_cpu_s", np.median(rate_cpu), "steps per CPU-s")
    print_figure("round_train_s_wall", wall_median(train), "s")
    print_figure("round_train_s_cpu", cpu_median(train), "CPU-s")
    print_figure("round_score_s_wall", np.median(score), "s")
    print_figure("round_select_ms_wall", np.median(select) * 1e3, "ms")
    print_figure("round_total_s_wall", wall_median(total), "s")
    print_figure("round_total_s_cpu", cpu_median(total), "CPU-s")
    print_figure("rescore_select_s_wall", wall_median(rescore), "s")
    print_figure("rescore_select_s_cpu", cpu_median(rescore), "CPU-s")

    layers = layer_shapes(args.model, features.shape[1], class_count)
    pretrain_flops = train_step_flops(layers, BATCH, 0)
    round_flops = train_step_flops(layers, BATCH, min(args.labeled, BATCH))
    rescore_flops = sum(2.0 * len(features) * a * b for a, b, _ in layers)
    print_figure("pretrain_step_mflop", pretrain_flops * 1e-6, "MFLOP")
    print_figure("pretrain_gflops_wall", pretrain_flops * np.median(rate_wall) * 1e-9, "GFLOP/s")
    print_figure("pretrain_gflops_cpu", pretrain_flops * np.median(rate_cpu) * 1e-9,
                 "GFLOP per CPU-s")
    print_figure("round_train_gflops_wall", round_flops * ROUND_STEPS / wall_median(train) * 1e-9,
                 "GFLOP/s")
    print_figure("round_train_gflops_cpu", round_flops * ROUND_STEPS / cpu_median(train) * 1e-9,
                 "GFLOP per CPU-s")
    print_figure("rescore_gflops_wall", rescore_flops / wall_median(rescore) * 1e-9, "GFLOP/s")
    print_figure("rescore_gflops_cpu", rescore_flops / cpu_median(rescore) * 1e-9,
                 "GFLOP per CPU-s")

    measure_matmul("256x784x256", 256, 784, 256, args.repetitions)
    measure_matmul("1024x1024x1024", 1024, 1024, 1024, args.repetitions)
    print_figure("peak_rss_mib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                 "MiB")


if __name__ == "__main__":
    main()
