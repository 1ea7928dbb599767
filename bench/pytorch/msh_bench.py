#!/usr/bin/python3
"""Side-by-side CPU timing of the mean-scale hyperprior in PyTorch and aezip.

Builds the architecture of docs/architecture.md (N=128, M=192 by default)
with random weights, times encode (g_a + h_a + h_s) and decode (h_s + g_s)
on one image (768x512 by default) with 2 threads, and reports the median of
several runs. PyTorch is timed once per environment variant (with and
without OPENBLAS_CORETYPE, each with oneDNN on and off) in child processes,
because OpenBLAS reads the variable when it is loaded. aezip's own
transforms are timed by the Go command ./aezipbench in the same run, and
the ratios are printed. aezipbench also times the whole aezip codec
(codec.Encode / Decode: transforms, integer h_s, entropy coding and
container) on the same random model and a natural image of the same size;
those times are printed next to PyTorch's transform-only times, with the
ratio, so the table shows what the entropy coding and the rest of the codec
add on top of the network.

The whole-codec timing uses a Kodak image (kodim23, 768x512) when
../shared/data/kodak is there, or --image, whose size then sets the shape;
otherwise testdata/kitten.png mirror-tiled. The transforms' times do not
depend on the content, so they run on random input.

Usage (from the repository root):
    /usr/bin/python3 bench/pytorch/msh_bench.py [--runs 5] [--rounds 1] [--coretype SkylakeX] [--image PATH] [--precision bf16|float32]

aezip's encode uses the codec's default analysis precision, bf16 (bfloat16
products where the processor has AVX512_BF16, else float32), unless
--precision float32 is given; the whole-codec encode is timed with the other
precision too, in the same run, and its ratio printed beside.

Both sides drift by about ±10 % on a shared or frequency-scaling machine, so a
claim about the ratio should rest on several rounds (--rounds 6): each round
times PyTorch and aezip back to back and takes its own ratio, and the medians
of those ratios are printed at the end.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def build(n, m):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class GDN(nn.Module):
        # y = x / sqrt(beta + gamma * x^2), with the effective (already
        # reparametrised) beta and gamma, as in docs/architecture.md.
        def __init__(self, c, inverse=False):
            super().__init__()
            self.inverse = inverse
            self.beta = nn.Parameter(torch.ones(c))
            self.gamma = nn.Parameter(0.1 * torch.rand(c, c, 1, 1) / c)

        def forward(self, x):
            norm = torch.sqrt(F.conv2d(x * x, self.gamma, self.beta))
            return x * norm if self.inverse else x / norm

    def conv(i, o, k=5, s=2):
        return nn.Conv2d(i, o, k, stride=s, padding=k // 2)

    def deconv(i, o):
        return nn.ConvTranspose2d(i, o, 5, stride=2, padding=2, output_padding=1)

    g_a = nn.Sequential(conv(3, n), GDN(n), conv(n, n), GDN(n), conv(n, n), GDN(n), conv(n, m))
    g_s = nn.Sequential(deconv(m, n), GDN(n, True), deconv(n, n), GDN(n, True),
                        deconv(n, n), GDN(n, True), deconv(n, 3))
    h_a = nn.Sequential(conv(m, n, 3, 1), nn.LeakyReLU(0.01), conv(n, n), nn.LeakyReLU(0.01), conv(n, n))
    h_s = nn.Sequential(deconv(n, m), nn.LeakyReLU(0.01), deconv(m, 3 * m // 2), nn.LeakyReLU(0.01),
                        conv(3 * m // 2, 2 * m, 3, 1))
    for net in (g_a, g_s, h_a, h_s):
        net.eval()
    return g_a, g_s, h_a, h_s


def child(args):
    """Times PyTorch in this process and prints one JSON line."""
    import torch
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    g_a, g_s, h_a, h_s = build(args.N, args.M)
    x = torch.rand(1, 3, args.height, args.width)
    t_ga, t_ha, t_hs, t_gs = [], [], [], []
    with torch.inference_mode(), torch.backends.mkldnn.flags(enabled=args.mkldnn == "on"):
        for i in range(args.runs + 1):
            t0 = time.perf_counter()
            y = g_a(x)
            t1 = time.perf_counter()
            z = h_a(y)
            t2 = time.perf_counter()
            params = h_s(torch.round(z))
            t3 = time.perf_counter()
            means = params[:, args.M:]
            out = g_s(torch.round(y - means) + means)
            t4 = time.perf_counter()
            assert out.shape == (1, 3, args.height, args.width), out.shape
            if i == 0:
                continue  # warm-up: allocator, oneDNN primitive caches
            t_ga.append(t1 - t0)
            t_ha.append(t2 - t1)
            t_hs.append(t3 - t2)
            t_gs.append(t4 - t3)
    med = statistics.median
    enc = [a + b + c for a, b, c in zip(t_ga, t_ha, t_hs)]
    dec = [c + d for c, d in zip(t_hs, t_gs)]
    print(json.dumps({
        "impl": "pytorch " + torch.__version__,
        "mkldnn": args.mkldnn,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        "threads": torch.get_num_threads(),
        "encode_s": med(enc), "decode_s": med(dec),
        "g_a_s": med(t_ga), "h_a_s": med(t_ha), "h_s_s": med(t_hs), "g_s_s": med(t_gs),
    }))


def run_json(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--width", type=int, default=768)
    p.add_argument("--height", type=int, default=512)
    p.add_argument("--N", type=int, default=128)
    p.add_argument("--M", type=int, default=192)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--rounds", type=int, default=1,
                   help="repeat the whole comparison; with more than one, also print the median ratios")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--coretype", default="SkylakeX",
                   help="OPENBLAS_CORETYPE value for the second PyTorch variant")
    p.add_argument("--no-go", action="store_true", help="skip the aezip timing")
    p.add_argument("--precision", default="bf16", choices=("bf16", "float32"),
                   help="aezip's analysis arithmetic (codec.WithPrecision); the other one's whole-codec encode is timed too")
    p.add_argument("--image", default=None,
                   help="PNG/JPEG for aezip's whole-codec timing (default: Kodak kodim23 if present)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--mkldnn", default="on", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return

    image = args.image
    if image is None:
        kodak = os.path.join(ROOT, "..", "shared", "data", "kodak", "kodim23.png")
        image = kodak if os.path.exists(kodak) else ""
    if image:
        from PIL import Image
        with Image.open(image) as im:
            args.width, args.height = im.size
        print("whole-codec image:", image, f"({args.width}x{args.height})", file=sys.stderr)
    common = ["--width", str(args.width), "--height", str(args.height), "--N", str(args.N),
              "--M", str(args.M), "--runs", str(args.runs), "--threads", str(args.threads)]
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    base["OMP_NUM_THREADS"] = str(args.threads)
    base["OPENBLAS_NUM_THREADS"] = str(args.threads)
    rounds, ratios = [], []
    for rnd in range(args.rounds):
        if args.rounds > 1:
            print(f"== round {rnd + 1} of {args.rounds}")
        results = measure_round(args, common, base, image)
        ratio = report(results)
        rounds.append(results)
        if ratio:
            ratios.append(ratio)
    if len(ratios) > 1:
        med = statistics.median
        print(f"== medians of {len(ratios)} rounds (each ratio taken within its round)")
        for key, what in (("codec", "aezip whole codec / fastest PyTorch transforms"),
                          ("codec_other", "the same, the other analysis precision (decode repeated)"),
                          ("transforms", "aezip / fastest PyTorch")):
            enc = [r[key][0] for r in ratios]
            dec = [r[key][1] for r in ratios]
            print(f"ratio {what}: encode {med(enc):.3f}x ({min(enc):.2f}-{max(enc):.2f}), "
                  f"decode {med(dec):.3f}x ({min(dec):.2f}-{max(dec):.2f})")
    print(json.dumps(rounds if args.rounds > 1 else rounds[0]))


def measure_round(args, common, base, image):
    """Times the four PyTorch variants, then aezip; returns their JSON objects."""
    results = []
    with open("/proc/loadavg") as f:
        print("load average before:", f.read().strip(), file=sys.stderr)
    for coretype in (None, args.coretype):
        env = dict(base)
        if coretype:
            env["OPENBLAS_CORETYPE"] = coretype
        for mk in ("on", "off"):
            results.append(run_json([sys.executable, __file__, "--child", "--mkldnn", mk] + common, env))
    if not args.no_go:
        env = dict(base)
        results.append(run_json(["go", "run", "./bench/pytorch/aezipbench", "-width", str(args.width),
                                 "-height", str(args.height), "-N", str(args.N), "-M", str(args.M),
                                 "-runs", str(args.runs), "-threads", str(args.threads),
                                 "-precision", args.precision, "-image", image], env))
    with open("/proc/loadavg") as f:
        print("load average after:", f.read().strip(), file=sys.stderr)
    return results


def report(results):
    """Prints one round's table and ratios; returns the ratios (encode, decode)
    of aezip's transforms and whole codec to the fastest PyTorch variant, or
    None without an aezip result."""
    print(f"{'implementation':44s} {'encode s':>9s} {'decode s':>9s}  stages (s)")
    for r in results:
        if r["impl"] == "aezip":
            name = f"aezip ({r['kernel']}, {r['threads']} threads, {r['precision']})"
            stages = f"g_a {r['g_a_s']:.3f} h_a {r['h_a_s']:.3f} h_s(int) {r['h_s_int_s']:.3f} g_s {r['g_s_s']:.3f}"
        else:
            name = f"{r['impl']} mkldnn={r['mkldnn']} CORETYPE={r['OPENBLAS_CORETYPE']}"
            stages = f"g_a {r['g_a_s']:.3f} h_a {r['h_a_s']:.3f} h_s {r['h_s_s']:.3f} g_s {r['g_s_s']:.3f}"
        print(f"{name:44s} {r['encode_s']:9.3f} {r['decode_s']:9.3f}  {stages}")
    go = [r for r in results if r["impl"] == "aezip"]
    if not go:
        return None
    g = go[0]
    name = f"aezip whole codec ({g['codec_bpp']:.2f} bpp, q50)"
    print(f"{name:44s} {g['codec_encode_s']:9.3f} {g['codec_decode_s']:9.3f}  "
          f"Encode/Decode incl. entropy coding and container, on {g['codec_image']}, "
          f"{g['precision']} analysis")
    name = f"aezip whole codec, {g['other_precision']} analysis"
    print(f"{name:44s} {g['codec_encode_other_s']:9.3f} {'':>9s}  the same encode with the other precision")
    best = {k: min(r[k] for r in results if r["impl"] != "aezip") for k in ("encode_s", "decode_s")}
    tr = (g["encode_s"] / best["encode_s"], g["decode_s"] / best["decode_s"])
    co = (g["codec_encode_s"] / best["encode_s"], g["codec_decode_s"] / best["decode_s"])
    other = (g["codec_encode_other_s"] / best["encode_s"], co[1])
    print(f"ratio aezip / fastest PyTorch: encode {tr[0]:.2f}x, "
          f"decode {tr[1]:.2f}x (above 1 means aezip is slower)")
    print(f"ratio aezip whole codec / fastest PyTorch transforms: "
          f"encode {co[0]:.2f}x, decode {co[1]:.2f}x ({g['precision']} analysis); "
          f"encode {other[0]:.2f}x with {g['other_precision']}")
    return {"transforms": tr, "codec": co, "codec_other": other}


if __name__ == "__main__":
    main()
