"""The aezip network: mean-scale hyperprior without context model, with gain units.

Layer names and shapes follow docs/architecture.md exactly (``g_a.0`` …, ``h_s.4``,
``gain``, ``inv_gain``) because the Go importer reads them from the exported dump.

Numerics: the convolutions may run under bf16 autocast on CUDA; GDN/IGDN, the
factorized prior on z and the Gaussian conditional on y always run in float32.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

# CompressAI's MSE lambdas for its qualities 1..8.
DEFAULT_LAMBDAS: Tuple[float, ...] = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800)
SCALE_BOUND = 0.11  # lower bound of the Gaussian scale (matches quant.ScaleTable's minimum)
LIKELIHOOD_BOUND = 1e-9
PAD_MULTIPLE = 64  # g_a downsamples by 16 and h_a by 4 more


@dataclass
class ModelConfig:
    """Widths and rate levels of one model (stored in checkpoints and the dump)."""

    N: int = 128
    M: int = 192
    lambdas: List[float] = field(default_factory=lambda: list(DEFAULT_LAMBDAS))

    @property
    def levels(self) -> int:
        return len(self.lambdas)


class _LowerBound(torch.autograd.Function):
    """max(x, bound) whose gradient still flows when it would raise x (Ballé)."""

    @staticmethod
    def forward(ctx, x: Tensor, bound: float) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.bound = bound
        return x.clamp_min(bound)

    @staticmethod
    def backward(ctx, g: Tensor):  # type: ignore[override]
        (x,) = ctx.saved_tensors
        pass_through = (x >= ctx.bound) | (g < 0)
        return g * pass_through.to(g.dtype), None


def lower_bound(x: Tensor, bound: float) -> Tensor:
    """Lower-bound ``x`` with a gradient that can pull it back above ``bound``."""
    return _LowerBound.apply(x, bound)


class GDN(nn.Module):
    """GDN / IGDN (Ballé et al. 2016) with the nonnegative reparametrisation.

    Stored parameters p are mapped to effective values ``max(p, sqrt(min + ped))^2 - ped``
    with pedestal ``2^-18``; :meth:`effective` gives the values the Go runtime uses:
    ``y_i = x_i / sqrt(beta_i + sum_j gamma[i][j] x_j^2)`` (IGDN multiplies instead).
    """

    PEDESTAL = 2.0**-18
    BETA_MIN = 1e-6

    def __init__(self, channels: int, inverse: bool = False, gamma_init: float = 0.1) -> None:
        super().__init__()
        self.inverse = inverse
        ped = self.PEDESTAL
        self.beta = nn.Parameter(torch.sqrt(torch.ones(channels) + ped))
        self.gamma = nn.Parameter(torch.sqrt(gamma_init * torch.eye(channels) + ped))

    def effective(self) -> Tuple[Tensor, Tensor]:
        """Return (beta [C], gamma [C][C]) after reparametrisation, in float32."""
        ped = self.PEDESTAL
        beta = lower_bound(self.beta.float(), math.sqrt(self.BETA_MIN + ped)) ** 2 - ped
        gamma = lower_bound(self.gamma.float(), math.sqrt(ped)) ** 2 - ped
        return beta, gamma

    def forward(self, x: Tensor) -> Tensor:
        beta, gamma = self.effective()
        with _no_autocast(x):
            x = x.float()
            c = gamma.shape[0]
            norm = F.conv2d(x * x, gamma.view(c, c, 1, 1), beta)
            return x * torch.sqrt(norm) if self.inverse else x * torch.rsqrt(norm)


def _no_autocast(x: Tensor):
    """Context that turns autocast off on x's device (a no-op on CPU tensors)."""
    if x.is_cuda:
        return torch.autocast(device_type="cuda", enabled=False)
    return torch.autocast(device_type="cpu", enabled=False)


def autocast_bf16(enabled: bool):
    """bf16 autocast on CUDA when enabled, else a no-op context (torch 1.13 checks CUDA eagerly)."""
    if enabled:
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _conv(cin: int, cout: int, k: int = 5, s: int = 2) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=s, padding=k // 2)


def _deconv(cin: int, cout: int, k: int = 5, s: int = 2) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(cin, cout, k, stride=s, padding=k // 2, output_padding=s - 1)


class FactorizedPrior(nn.Module):
    """Per-channel univariate density of Ballé et al. 2018 (appendix 6.1).

    The cumulative ``c(x)`` is a small monotone network with filters (1,3,3,3,1);
    likelihood of an integer v is ``c(v+0.5) - c(v-0.5)``.
    """

    def __init__(self, channels: int, filters: Sequence[int] = (3, 3, 3), init_scale: float = 10.0) -> None:
        super().__init__()
        dims = (1, *filters, 1)
        scale = init_scale ** (1.0 / (len(dims) - 1))
        self.matrices = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.factors = nn.ParameterList()
        for i in range(len(dims) - 1):
            init = math.log(math.expm1(1.0 / scale / dims[i + 1]))
            self.matrices.append(nn.Parameter(torch.full((channels, dims[i + 1], dims[i]), init)))
            self.biases.append(nn.Parameter(torch.empty(channels, dims[i + 1], 1).uniform_(-0.5, 0.5)))
            if i < len(dims) - 2:
                self.factors.append(nn.Parameter(torch.zeros(channels, dims[i + 1], 1)))

    def logits_cumulative(self, v: Tensor) -> Tensor:
        """v: [C, 1, n] float32 → logits of the cumulative, [C, 1, n]."""
        x = v
        for i, (m, b) in enumerate(zip(self.matrices, self.biases)):
            x = torch.matmul(F.softplus(m), x) + b
            if i < len(self.factors):
                x = x + torch.tanh(self.factors[i]) * torch.tanh(x)
        return x

    def likelihood(self, z: Tensor) -> Tensor:
        """Likelihood of each element of z ([B, C, H, W], float32) in fp32."""
        with _no_autocast(z):
            z = z.float()
            b, c, h, w = z.shape
            v = z.permute(1, 0, 2, 3).reshape(c, 1, -1)
            lower = self.logits_cumulative(v - 0.5)
            upper = self.logits_cumulative(v + 0.5)
            # Evaluate in the tail that keeps the difference of sigmoids precise.
            sign = -torch.sign(lower + upper).detach()
            lik = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))
            lik = lower_bound(lik, LIKELIHOOD_BOUND)
            return lik.reshape(c, b, h, w).permute(1, 0, 2, 3)

    @torch.no_grad()
    def pmf_table(self, tail: float = 1e-9, search: int = 1024, max_k: int = 1024) -> Tuple[Tensor, Tensor]:
        """Integer pmf per channel: returns (pmf [C][K] float32, offset [C] int32).

        Each channel's support [lo, hi] is the smallest integer range outside which
        the density has less than ``tail`` mass on either side; K is the widest range.
        """
        c = self.matrices[0].shape[0]
        dev = self.matrices[0].device
        edges = torch.arange(-search, search + 1, device=dev, dtype=torch.float32) - 0.5  # v - 0.5 for v in grid
        logits = self.logits_cumulative(edges.view(1, 1, -1).expand(c, 1, -1).contiguous()).view(c, -1)
        below_mass = torch.sigmoid(logits)  # mass below v-0.5
        above_mass = torch.sigmoid(-logits)  # mass above v-0.5, precise in the upper tail
        grid = torch.arange(-search, search + 1, device=dev)
        lo = torch.empty(c, dtype=torch.int64)
        hi = torch.empty(c, dtype=torch.int64)
        for ch in range(c):
            below = (below_mass[ch] < tail).nonzero()  # values < v are negligible
            above = (above_mass[ch] < tail).nonzero()  # values ≥ v are negligible
            lo[ch] = grid[below[-1, 0]] if len(below) else -search
            hi[ch] = grid[above[0, 0]] - 1 if len(above) else search
        k = int(min(max_k, int((hi - lo).max()) + 1))
        vals = lo.view(c, 1).to(dev).float() + torch.arange(k, device=dev).float().view(1, k)
        lower = self.logits_cumulative((vals - 0.5).view(c, 1, k))
        upper = self.logits_cumulative((vals + 0.5).view(c, 1, k))
        sign = -torch.sign(lower + upper)
        pmf = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower)).view(c, k)
        return pmf.float().cpu(), lo.to(torch.int32)


def gaussian_likelihood(y: Tensor, scales: Tensor, means: Tensor) -> Tensor:
    """P(round(y) bin) under N(mean, max(scale, 0.11)): Φ((v+½−μ)/σ) − Φ((v−½−μ)/σ), fp32."""
    with _no_autocast(y):
        s = lower_bound(scales.float(), SCALE_BOUND)
        v = torch.abs(y.float() - means.float())  # symmetric: evaluate in the lower tail
        upper = _std_cdf((0.5 - v) / s)
        lower = _std_cdf((-0.5 - v) / s)
        return lower_bound(upper - lower, LIKELIHOOD_BOUND)


def _std_cdf(x: Tensor) -> Tensor:
    return 0.5 * torch.erfc(-x * (2.0**-0.5))


def ste_round(x: Tensor) -> Tensor:
    """round(x) with the identity gradient (straight-through)."""
    return x + (torch.round(x) - x).detach()


def pad64(x: Tensor) -> Tensor:
    """Replicate-pad right/bottom of [B,3,H,W] to a multiple of 64 (as the Go codec)."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % PAD_MULTIPLE, (-w) % PAD_MULTIPLE
    if ph == 0 and pw == 0:
        return x
    return F.pad(x, (0, pw, 0, ph), mode="replicate")


class AEModel(nn.Module):
    """Mean-scale hyperprior with L gain levels (docs/architecture.md)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        n, m, levels = cfg.N, cfg.M, cfg.levels
        if m % 2:
            raise ValueError("M must be even (h_s.2 has 3M/2 channels)")
        self.cfg = cfg
        self.g_a = nn.Sequential(_conv(3, n), GDN(n), _conv(n, n), GDN(n), _conv(n, n), GDN(n), _conv(n, m))
        self.g_s = nn.Sequential(
            _deconv(m, n), GDN(n, True), _deconv(n, n), GDN(n, True), _deconv(n, n), GDN(n, True), _deconv(n, 3)
        )
        self.h_a = nn.Sequential(
            _conv(m, n, 3, 1), nn.LeakyReLU(0.01), _conv(n, n), nn.LeakyReLU(0.01), _conv(n, n)
        )
        self.h_s = nn.Sequential(
            _deconv(n, m), nn.LeakyReLU(0.01), _deconv(m, m * 3 // 2), nn.LeakyReLU(0.01), _conv(m * 3 // 2, 2 * m, 3, 1)
        )
        # Gains start log-spaced so the levels differ from step 0 (step ratio ≈ √(λ ratio)).
        spread = 0.25 * math.log(cfg.lambdas[-1] / cfg.lambdas[0])
        lg = torch.linspace(-spread, spread, levels).view(levels, 1).repeat(1, m)
        self.log_gain = nn.Parameter(lg.clone())
        self.log_inv_gain = nn.Parameter(-lg.clone())
        self.prior = FactorizedPrior(n)
        self.register_buffer("lambdas", torch.tensor(cfg.lambdas, dtype=torch.float32))

    # --- rate levels -------------------------------------------------------------------
    def _interp(self, table: Tensor, t: Tensor) -> Tensor:
        """Geometric interpolation of exp(table) rows at fractional levels t [B] → [B, M]."""
        levels = table.shape[0]
        t = t.float().clamp(0, levels - 1)
        lo = t.floor().long().clamp(max=levels - 2) if levels > 1 else torch.zeros_like(t).long()
        f = (t - lo.float()).unsqueeze(1)
        hi = (lo + 1).clamp(max=levels - 1)
        return torch.exp(table[lo] * (1 - f) + table[hi] * f)

    def gain(self, t: Tensor) -> Tensor:
        """gain(t) [B, M]: gain[l]^(1-f) · gain[l+1]^f."""
        return self._interp(self.log_gain.float(), t)

    def inv_gain(self, t: Tensor) -> Tensor:
        """inv_gain(t) [B, M], interpolated like :meth:`gain`."""
        return self._interp(self.log_inv_gain.float(), t)

    def lmbda(self, t: Tensor) -> Tensor:
        """λ(t) [B], geometric interpolation of the λ list."""
        return self._interp(torch.log(self.lambdas).view(-1, 1), t).view(-1)

    # --- passes -------------------------------------------------------------------------
    def hyper_synthesis(self, z_hat: Tensor) -> Tuple[Tensor, Tensor]:
        """h_s(ẑ) → (scales, means), raw float outputs of h_s.4 (scales not yet bounded)."""
        out = self.h_s(z_hat).float()
        m = self.cfg.M
        return out[:, :m], out[:, m:]

    def forward(self, x: Tensor, t: Tensor) -> Dict[str, Tensor]:
        """Training pass (x in [0,1], sides multiples of 64; t [B]).

        Rates use additive uniform noise; the decoder sees straight-through rounded
        latents (ŷ = round(y'−μ)+μ, ẑ = round(z)), as the codec will.
        """
        y = self.g_a(x).float()
        yg = y * self.gain(t)[:, :, None, None]
        z = self.h_a(yg).float()
        z_lik = self.prior.likelihood(z + torch.empty_like(z).uniform_(-0.5, 0.5))
        scales, means = self.hyper_synthesis(ste_round(z))
        y_lik = gaussian_likelihood(yg + torch.empty_like(yg).uniform_(-0.5, 0.5), scales, means)
        y_hat = ste_round(yg - means) + means
        x_hat = self.g_s(y_hat * self.inv_gain(t)[:, :, None, None]).float()
        return {"x_hat": x_hat, "y_lik": y_lik, "z_lik": z_lik}

    @torch.no_grad()
    def compress_eval(self, x: Tensor, t: Tensor) -> Dict[str, Tensor]:
        """Evaluation pass with rounding, as the codec: any H, W (padded, output cropped).

        Returns x_hat (cropped, unclamped) and the bits of y and z per image.
        """
        return self.compress_eval_y(self.g_a(pad64(x)).float(), t, x.shape[-2:])

    @torch.no_grad()
    def compress_eval_y(self, y: Tensor, t: Tensor, size: Tuple[int, int]) -> Dict[str, Tensor]:
        """:meth:`compress_eval` from a precomputed y = g_a(pad(x)) (evaluating many levels)."""
        h, w = size
        yg = y * self.gain(t)[:, :, None, None]
        z_hat = torch.round(self.h_a(yg).float())
        scales, means = self.hyper_synthesis(z_hat)
        y_hat = torch.round(yg - means) + means
        y_bits = -torch.log2(gaussian_likelihood(y_hat, scales, means)).sum(dim=(1, 2, 3))
        z_bits = -torch.log2(self.prior.likelihood(z_hat)).sum(dim=(1, 2, 3))
        x_hat = self.g_s(y_hat * self.inv_gain(t)[:, :, None, None]).float()[..., :h, :w]
        return {"x_hat": x_hat, "y_bits": y_bits, "z_bits": z_bits}


def rd_loss(
    x: Tensor, out: Dict[str, Tensor], lmbda: Tensor, msssim: bool = False
) -> Tuple[Tensor, Dict[str, Tensor]]:
    """Per-sample λ·255²·MSE + bpp (or λ_ms·(1−MS-SSIM) + bpp), averaged over the batch.

    Returns (loss, stats) where stats holds batch means of bpp, mse and psnr.
    """
    b, _, h, w = x.shape
    bits = -torch.log2(out["y_lik"]).sum(dim=(1, 2, 3)) - torch.log2(out["z_lik"]).sum(dim=(1, 2, 3))
    bpp = bits / (h * w)
    mse = (out["x_hat"].float() - x.float()).pow(2).mean(dim=(1, 2, 3))
    if msssim:
        from .msssim import ms_ssim

        dist = lmbda * (1.0 - ms_ssim(out["x_hat"].float().clamp(0, 1), x.float()))
    else:
        dist = lmbda * (255.0**2) * mse
    loss = (dist + bpp).mean()
    psnr = 10 * torch.log10(1.0 / mse.detach().clamp_min(1e-10))
    return loss, {"bpp": bpp.detach().mean(), "mse": mse.detach().mean(), "psnr": psnr.mean()}


def count_params(model: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in model.parameters())


def build(cfg: Optional[ModelConfig] = None) -> AEModel:
    """Construct a freshly initialised model."""
    return AEModel(cfg or ModelConfig())
