#!/usr/bin/python3
"""Generate the metrics test fixtures and their reference values.

Run once at test-authoring time with Debian's python3-skimage (0.19.3),
python3-scipy and python3-pil:

    cd internal/metrics/testdata && /usr/bin/python3 make_fixtures.py

It writes the image pairs as PNG and metrics.json with:
  psnr   - skimage.metrics.peak_signal_noise_ratio(data_range=255)
  ssim   - skimage.metrics.structural_similarity(gaussian_weights=True,
           sigma=1.5, use_sample_covariance=False, data_range=255,
           channel_axis=2)
  msssim - this script's own MS-SSIM, written from Wang, Simoncelli and
           Bovik 2003 on top of scipy.ndimage.gaussian_filter (the filter
           skimage uses), independent of the Go code.
The Go tests only read the PNGs and the JSON; they never run Python.
"""
import json

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

K1, K2, L = 0.01, 0.03, 255.0
C1, C2 = (K1 * L) ** 2, (K2 * L) ** 2
WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
PAD = 5  # half of the 11x11 window: int(3.5 * 1.5 + 0.5)


def stats(x, y):
    """Means of the SSIM map and of the cs map over the valid region."""
    f = lambda a: gaussian_filter(a, sigma=1.5, truncate=3.5)
    ux, uy = f(x), f(y)
    vx = f(x * x) - ux * ux
    vy = f(y * y) - uy * uy
    vxy = f(x * y) - ux * uy
    cs = (2 * vxy + C2) / (vx + vy + C2)
    lum = (2 * ux * uy + C1) / (ux * ux + uy * uy + C1)
    crop = (slice(PAD, -PAD), slice(PAD, -PAD))
    return (lum * cs)[crop].mean(), cs[crop].mean()


def down(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * h, : 2 * w].reshape(h, 2, w, 2).mean(axis=(1, 3))


def scales(h, w):
    n = 0
    while n < 5 and h >= 11 and w >= 11:
        n, h, w = n + 1, h // 2, w // 2
    return n


def msssim_channel(x, y, n):
    wts = WEIGHTS[:n] / WEIGHTS[:n].sum()
    out = 1.0
    for j in range(n):
        s, cs = stats(x, y)
        v = s if j == n - 1 else cs
        out *= max(v, 0.0) ** wts[j]
        x, y = down(x), down(y)
    return out


def msssim(a, b):
    n = scales(*a.shape[:2])
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(np.mean([msssim_channel(a[..., c], b[..., c], n) for c in range(3)])), n


def save(name, arr):
    Image.fromarray(arr.astype(np.uint8), "RGB").save(name)


def clip8(a):
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def main():
    rng = np.random.default_rng(20031109)
    kodak = np.asarray(Image.open("../../../../shared/data/kodak/kodim23.png").convert("RGB"))
    pairs = []

    # A photo crop large enough for all five scales, with blur + noise.
    ref = kodak[100:292, 250:450]  # 192 rows x 200 columns
    blurred = np.stack([gaussian_filter(ref[..., c].astype(float), 1.0) for c in range(3)], axis=2)
    pairs.append(("kodim23crop", ref, clip8(blurred + rng.normal(0, 3, ref.shape))))

    # The same crop, JPEG-like blockiness: 8x8 block means mixed with the original.
    blk = ref.astype(float).reshape(24, 8, 25, 8, 3).mean(axis=(1, 3))
    blk = np.repeat(np.repeat(blk, 8, axis=0), 8, axis=1)
    pairs.append(("kodim23block", ref, clip8(0.6 * blk + 0.4 * ref)))

    # Odd sizes (3 scales; the odd row/column is dropped when downsampling).
    small = kodak[300:349, 500:567]  # 49 x 67
    pairs.append(("odd49x67", small, clip8(small + rng.normal(0, 8, small.shape))))

    # Synthetic smooth gradient vs strong noise; 2 scales.
    yy, xx = np.mgrid[0:24, 0:32]
    grad = np.stack([xx * 8, yy * 10, (xx + yy) * 4], axis=2)
    pairs.append(("grad24x32", clip8(grad), clip8(grad + rng.normal(0, 20, grad.shape))))

    # Anti-correlated content: the inverted image (exercises negative cs).
    pairs.append(("invert49x67", small, 255 - small))

    out = []
    for name, a, b in pairs:
        save(name + ".a.png", a)
        save(name + ".b.png", b)
        ms, n = msssim(a, b)
        out.append({
            "name": name,
            "width": int(a.shape[1]),
            "height": int(a.shape[0]),
            "psnr": float(peak_signal_noise_ratio(a, b, data_range=255)),
            "ssim": float(structural_similarity(
                a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                data_range=255, channel_axis=2)),
            "msssim": ms,
            "scales": n,
        })
        # Cross-check the script's single-scale pieces against skimage.
        own = np.mean([stats(a[..., c].astype(float), b[..., c].astype(float))[0] for c in range(3)])
        assert abs(own - out[-1]["ssim"]) < 1e-12, (name, own, out[-1]["ssim"])
    with open("metrics.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
