"""Model shapes, gain interpolation, likelihoods and the rate-distortion loss."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aezip_train.model import GDN, FactorizedPrior, gaussian_likelihood, pad64, rd_loss


@pytest.mark.parametrize("h,w", [(37, 51), (64, 64), (65, 130), (1, 7)])
def test_eval_shapes_odd_sizes(tiny, h, w):
    x = torch.rand(1, 3, h, w)
    out = tiny.compress_eval(x, torch.tensor([1.0]))
    assert out["x_hat"].shape == (1, 3, h, w)
    assert pad64(x).shape[-2:] == (math.ceil(h / 64) * 64, math.ceil(w / 64) * 64)
    y = tiny.g_a(pad64(x))
    assert y.shape == (1, 12, math.ceil(h / 64) * 4, math.ceil(w / 64) * 4)
    assert tiny.h_a(y).shape[-2:] == (y.shape[-2] // 4, y.shape[-1] // 4)
    assert out["y_bits"].item() > 0 and out["z_bits"].item() > 0


def test_pad_replicates_edges():
    x = torch.arange(2 * 3, dtype=torch.float32).view(1, 1, 2, 3).repeat(1, 3, 1, 1)
    p = pad64(x)
    assert torch.equal(p[..., :2, :3], x)
    assert torch.all(p[..., 1, 3:] == x[..., 1, 2:3]) and torch.all(p[..., 5, 2] == x[..., 1, 2])


def test_training_forward_shapes_and_grad(tiny):
    tiny.train()
    x = torch.rand(2, 3, 64, 128)
    out = tiny(x, torch.tensor([0.0, 1.5]))
    assert out["x_hat"].shape == x.shape
    loss, st = rd_loss(x, out, tiny.lmbda(torch.tensor([0.0, 1.5])))
    loss.backward()
    assert all(p.grad is not None for p in tiny.g_a.parameters())
    assert tiny.log_gain.grad is not None and tiny.prior.matrices[0].grad is not None


def test_gain_geometric_interpolation(tiny):
    g = torch.exp(tiny.log_gain)
    mid = tiny.gain(torch.tensor([0.5]))[0]
    assert torch.allclose(mid, torch.sqrt(g[0] * g[1]), rtol=1e-5)
    assert torch.allclose(tiny.gain(torch.tensor([2.0]))[0], g[2], rtol=1e-6)
    assert torch.allclose(tiny.inv_gain(torch.tensor([1.0]))[0], torch.exp(tiny.log_inv_gain[1]), rtol=1e-6)
    lam = tiny.lmbda(torch.tensor([0.0, 0.5, 2.0]))
    assert lam[0].item() == pytest.approx(0.0018, rel=1e-5)
    assert lam[1].item() == pytest.approx(math.sqrt(0.0018 * 0.013), rel=1e-5)
    assert lam[2].item() == pytest.approx(0.18, rel=1e-5)


@pytest.mark.parametrize("scale,mean", [(0.05, 0.0), (0.11, 0.3), (1.0, -2.7), (7.5, 4.2), (40.0, 0.0)])
def test_gaussian_likelihood_sums_to_one(scale, mean):
    v = torch.arange(-400, 401, dtype=torch.float32)
    lik = gaussian_likelihood(v, torch.full_like(v, scale), torch.full_like(v, mean))
    assert lik.sum().item() == pytest.approx(1.0, abs=1e-4)
    # Unimodal around the mean, symmetric for an integer mean.
    i = int(torch.argmax(lik))
    assert abs(v[i].item() - mean) <= 0.5 + 1e-6
    if mean == 0.0:
        assert torch.allclose(lik, lik.flip(0), rtol=1e-5, atol=1e-12)


def test_gaussian_scale_lower_bound():
    v = torch.zeros(3)
    lik = gaussian_likelihood(v, torch.tensor([-5.0, 0.0, 0.11]), torch.zeros(3))
    assert torch.allclose(lik, lik[2].expand(3))  # scales below 0.11 act as 0.11
    assert lik[2].item() == pytest.approx(math.erf(0.5 / 0.11 / math.sqrt(2)), rel=1e-5)


def test_factorized_prior_pmf_matches_likelihood():
    torch.manual_seed(3)
    prior = FactorizedPrior(4)
    pmf, offset = prior.pmf_table()
    assert pmf.shape[0] == 4 and offset.dtype == torch.int32
    for c in range(4):
        assert pmf[c].sum().item() == pytest.approx(1.0, abs=1e-5)
        vals = offset[c].float() + torch.arange(pmf.shape[1]).float()
        z = torch.zeros(1, 4, 1, vals.numel())
        z[0, c, 0] = vals
        lik = prior.likelihood(z)[0, c, 0]
        assert torch.allclose(lik, pmf[c].clamp_min(1e-9), rtol=1e-4, atol=1e-9)


def test_gdn_matches_formula():
    torch.manual_seed(1)
    g = GDN(5)
    with torch.no_grad():
        g.gamma.add_(0.05 * torch.rand(5, 5))
        g.beta.add_(0.1)
    x = torch.randn(1, 5, 3, 4)
    beta, gamma = g.effective()
    norm = torch.sqrt(beta.view(1, 5, 1, 1) + torch.einsum("ij,bjhw->bihw", gamma, x * x))
    assert torch.allclose(g(x), x / norm, rtol=1e-5, atol=1e-6)
    ig = GDN(5, inverse=True)
    ig.load_state_dict(g.state_dict())
    assert torch.allclose(ig(x), x * norm, rtol=1e-5, atol=1e-6)
    assert torch.all(beta > 0) and torch.all(gamma >= 0)


def test_rd_loss_known_values():
    x = torch.full((2, 3, 16, 16), 0.5)
    out = {
        "x_hat": x + 0.1,
        "y_lik": torch.full((2, 4, 1, 1), 0.5),  # 1 bit each
        "z_lik": torch.full((2, 2, 1, 1), 0.25),  # 2 bits each
    }
    lam = torch.tensor([0.01, 0.1])
    loss, st = rd_loss(x, out, lam)
    bpp = (4 * 1 + 2 * 2) / 256
    mse = 0.01
    expect = np.mean([0.01 * 255**2 * mse + bpp, 0.1 * 255**2 * mse + bpp])
    assert loss.item() == pytest.approx(expect, rel=1e-5)
    assert st["bpp"].item() == pytest.approx(bpp, rel=1e-6)
    assert st["psnr"].item() == pytest.approx(20.0, rel=1e-4)


def test_bf16_analysis_rounds_operands_and_restores(tiny):
    from aezip_train.evaluate import bf16_analysis

    tiny.eval()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        before = tiny.g_a(x)
        with bf16_analysis(tiny):
            rounded = tiny.g_a(x)
            # Every conv weight of g_a is a bfloat16 value inside the context.
            w = tiny.g_a[0].weight
            assert torch.equal(w, w.to(torch.bfloat16).float())
        after = tiny.g_a(x)
    assert torch.equal(before, after)  # weights and GDN forward restored
    rel = (rounded - before).abs().max() / before.abs().max()
    assert 0 < rel < 0.05  # bfloat16 has an 8-bit significand: small but nonzero change
