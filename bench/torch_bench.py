#!/usr/bin/env python3
"""The PyTorch contender of `npm run bench`: the same networks, batch, losses and optimizer settings as bench/models.ts,
written the way the PyTorch DCGAN tutorial writes a training loop, on `--threads` CPU threads (2 by default).

The Node benchmark starts this script once and keeps it running, so that its reps interleave with the tfjs ones in
the same run (library, raw, PyTorch, ...). It reads one JSON request per line on stdin and answers one JSON line on
stdout:

    {"op": "init", "model": "article-gan" | "vae" | "dcgan", "batch": 64}  -> {"ok": true, "torch": "1.13.1", "threads": 2}
    {"op": "steps", "n": 20}                             -> {"ms": 3.1, "cpu_ms": 6.0}   (mean per step; CPU of all threads)
    {"op": "quit"}

Any failure answers {"error": "..."}; the Node side turns that into a "skipped" row. Run it by hand with
`python3 bench/torch_bench.py --selftest` to time each model once.

Differences from the tfjs side, none of which changes the work per step: PyTorch lays images out NCHW (its native
and fastest layout), and its 'same'-like padding of a stride-2 convolution puts the extra row at the other edge.
"""

import argparse
import json
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

# The models' default optimizers (bench/models.ts): Adam with tfjs's epsilon on cpu and wasm.
GAN_ADAM = dict(lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
VAE_ADAM = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7)


def article_gan():
    """The article's GAN: G 100 -> 128 -> 128 -> 784 (ReLU, tanh), D 784 -> 128 -> 1 (ReLU, logits)."""
    g = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 784), nn.Tanh())
    d = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 1))
    return g, d


def dcgan():
    """dcganGenerator() and dcganDiscriminator() of src/architectures/dcgan.ts, in NCHW.

    Keras batch norm (momentum 0.99, epsilon 1e-3) is PyTorch's momentum 0.01; 'same' stride-2 5x5 convolutions are
    padding 2 (plus output_padding 1 for the transposed ones, so 7 -> 14 -> 28).
    """
    g = nn.Sequential(
        nn.Linear(100, 7 * 7 * 128, bias=False),
        nn.BatchNorm1d(7 * 7 * 128, eps=1e-3, momentum=0.01),
        nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.BatchNorm2d(64, eps=1e-3, momentum=0.01),
        nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=True),
        nn.Tanh(),
    )
    d = nn.Sequential(
        nn.Conv2d(1, 64, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.3),
        nn.Conv2d(64, 128, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.3),
        nn.Flatten(),
        nn.Linear(7 * 7 * 128, 1),
    )
    return g, d


class GanStep:
    """One D update on real vs fresh fakes, one G update with fresh z, one readback of the logs (as rawGan)."""

    def __init__(self, model, batch):
        self.g, self.d = article_gan() if model == "article-gan" else dcgan()
        self.g.train()
        self.d.train()
        self.g_opt = torch.optim.Adam(self.g.parameters(), **GAN_ADAM)
        self.d_opt = torch.optim.Adam(self.d.parameters(), **GAN_ADAM)
        shape = (batch, 784) if model == "article-gan" else (batch, 1, 28, 28)
        self.real = torch.rand(shape) * 2 - 1  # the generator's tanh range
        self.batch = batch

    def __call__(self):
        with torch.no_grad():
            fake = self.g(torch.randn(self.batch, 100))
        self.d_opt.zero_grad(set_to_none=True)
        real_logits = self.d(self.real)
        fake_logits = self.d(fake)
        # -log sigmoid(real) - log(1 - sigmoid(fake)) = softplus(-real) + softplus(fake)
        d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
        d_loss.backward()
        self.d_opt.step()

        self.g_opt.zero_grad(set_to_none=True)
        g_loss = F.softplus(-self.d(self.g(torch.randn(self.batch, 100)))).mean()
        g_loss.backward()
        self.g_opt.step()
        with torch.no_grad():
            logs = torch.stack([d_loss, torch.sigmoid(real_logits).mean(), torch.sigmoid(fake_logits).mean(), g_loss])
        logs.tolist()


class VaeStep:
    """The Bernoulli MLP VAE (784 -> 400 -> (20, 20), 20 -> 400 -> 784): -ELBO, one Adam step, one readback."""

    def __init__(self, batch):
        self.encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU())
        self.mean = nn.Linear(400, 20)
        self.log_var = nn.Linear(400, 20)
        self.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784))
        params = [p for m in (self.encoder, self.mean, self.log_var, self.decoder) for p in m.parameters()]
        self.opt = torch.optim.Adam(params, **VAE_ADAM)
        self.x = torch.rand(batch, 784)  # Bernoulli targets in [0, 1]

    def __call__(self):
        self.opt.zero_grad(set_to_none=True)
        h = self.encoder(self.x)
        mean, log_var = self.mean(h), self.log_var(h)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        logits = self.decoder(z)
        # -log p(x|z) = sum softplus(l) - x*l; KL = 1/2 sum (e^logVar + mean^2 - logVar - 1)
        reconstruction = (F.softplus(logits) - self.x * logits).sum(1).mean()
        kl = (0.5 * (log_var.exp() + mean.square() - log_var - 1)).sum(1).mean()
        loss = reconstruction + kl
        loss.backward()
        self.opt.step()
        torch.stack([loss.detach(), reconstruction.detach(), kl.detach()]).tolist()


def build(model, batch):
    if model in ("article-gan", "dcgan"):
        return GanStep(model, batch)
    if model == "vae":
        return VaeStep(batch)
    raise ValueError(f"unknown model {model!r}")


def timed(step, n):
    """Mean wall-clock and process CPU (all threads) milliseconds per step."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) * 1000 / n, (time.process_time() - cpu) * 1000 / n


def serve(threads):
    step = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                break
            if op == "init":
                torch.manual_seed(req.get("seed", 0))
                step = build(req["model"], int(req["batch"]))
                for _ in range(2):  # warm-up: allocator, autograd graph, kernel selection
                    step()
                reply = {"ok": True, "torch": torch.__version__, "threads": torch.get_num_threads()}
            elif op == "steps":
                if step is None:
                    raise RuntimeError("steps before init")
                ms, cpu_ms = timed(step, int(req["n"]))
                reply = {"ms": ms, "cpu_ms": cpu_ms}
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as e:  # reported to the Node side, which skips the row
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--selftest", action="store_true", help="time each model once and exit")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    if args.selftest:
        torch.manual_seed(0)
        for model, n in (("article-gan", 200), ("vae", 100), ("dcgan", 5)):
            step = build(model, 64)
            step()
            ms, _ = timed(step, n)
            print(f"{model}: {1000 / ms:.1f} steps/s ({ms:.2f} ms/step, torch {torch.__version__}, {args.threads} threads)")
        return
    serve(args.threads)


if __name__ == "__main__":
    main()
