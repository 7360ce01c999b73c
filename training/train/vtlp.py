"""Vocal tract length perturbation (Jaitly and Hinton, 2013) applied to the MFCC features train.py reads.

A vocal tract k times shorter puts every formant k times higher. VTLP imitates other speakers by warping
the frequency axis by a factor α drawn per utterance: the spectrum heard at f is the one the speaker made
at f/α, up to a boundary frequency, then a straight line that keeps the Nyquist frequency where it is.

The features are already MFCCs (meyda's: c = DCT(log mel), 40 triangular bands equally spaced in mel from
0 Hz to Nyquist, the first 20 coefficients), so the warp is done in that domain: the 20 coefficients give
the smoothest 40-band log-mel envelope that has them (the DCT's pseudo-inverse), the envelope is read at the
warped band centres (linear interpolation between bands), and the DCT takes it back. That is one 20 × 20
matrix per α, the same for every frame: cheap enough to draw a new warp for every utterance of every batch.
It is an approximation: against MFCCs of the warped power spectrum itself (6 dev recordings, coefficients
1-19), what it leaves out is 19-26 % of the change the exact warp makes, for α from 0.8 to 1.2.

On normalised features x = (c − μ) / σ the warp is x' = σ⁻¹ A σ x + w σ⁻¹ (A − I) μ_train, exactly: with the
training mean subtracted w = 1; with the utterance's own mean mixed with k frames of the training mean
(μ = (Σc + k μ_train) / (n + k), the manifest's meanPriorFrames) the warped utterance's mean is A μ less
k/(n + k) (A − I) μ_train, so w = k / (n + k) for an utterance of n frames (0 without a prior).
"""
import numpy as np
import torch

# Jaitly and Hinton's boundary: 4.8 kHz for 8 kHz speech bandwidth, scaled to the front end's Nyquist.
BOUNDARY_FRACTION = 4800 / 8000


def hz_to_mel(f):
    return 1125.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * np.expm1(np.asarray(m, dtype=np.float64) / 1125.0)


def dct_matrix(bands, coefficients):
    """meyda's DCT: c_k = 2 Σ_n L_n cos(π/N (n + ½) k), first `coefficients` rows."""
    k = np.arange(coefficients)[:, None]
    n = np.arange(bands)[None, :]
    return 2.0 * np.cos(np.pi / bands * (n + 0.5) * k)


def source_frequency(f, alpha, nyquist):
    """The frequency of the original spectrum that the warp moves to `f` (the inverse warp)."""
    f = np.asarray(f, dtype=np.float64)
    boundary = BOUNDARY_FRACTION * nyquist * min(alpha, 1.0) / alpha  # below it f -> α f
    warped_boundary = alpha * boundary
    above = boundary + (f - warped_boundary) * (nyquist - boundary) / (nyquist - warped_boundary)
    return np.where(f <= warped_boundary, f / alpha, above)


def cepstral_warp(alpha, sample_rate, mel_bands, coefficients):
    """The [coefficients × coefficients] matrix that warps MFCC frames by α (on unnormalised values)."""
    nyquist = sample_rate / 2
    step = hz_to_mel(nyquist) / (mel_bands + 1)
    centres = mel_to_hz(step * np.arange(1, mel_bands + 1))
    # fractional band index of each warped centre's source frequency, kept inside the bank
    position = np.clip(hz_to_mel(source_frequency(centres, alpha, nyquist)) / step - 1, 0, mel_bands - 1)
    lower = np.minimum(np.floor(position).astype(int), mel_bands - 2)
    weight = position - lower
    interpolate = np.zeros((mel_bands, mel_bands))
    rows = np.arange(mel_bands)
    interpolate[rows, lower] = 1 - weight
    interpolate[rows, lower + 1] += weight
    dct = dct_matrix(mel_bands, coefficients)
    return dct @ interpolate @ np.linalg.pinv(dct)


class Vtlp:
    """Warps each utterance of a batch of normalised, unstacked frames by its own α ~ U(low, high)."""

    GRID = 81  # α is drawn from this many evenly spaced values (matrices made once)

    def __init__(self, low, high, stats, device):
        frontend = stats.get("frontend")
        if not frontend:
            raise SystemExit("--vtlp needs the features' front end settings (stats.json 'frontend'); "
                             "dump the features again")
        std = np.asarray(stats["std"], dtype=np.float64)
        mean = np.asarray(stats["mean"], dtype=np.float64)
        self.alphas = np.linspace(low, high, self.GRID)
        mats, offsets = [], []
        for a in self.alphas:
            warp = cepstral_warp(a, frontend["sampleRate"], frontend["melBands"], frontend["mfccCoefficients"])
            mats.append((np.diag(1 / std) @ warp @ np.diag(std)).T)  # x' = x Mᵀ on [B, T, D]
            offsets.append((warp - np.eye(len(std))) @ mean / std)
        self.mats_t = torch.tensor(np.stack(mats), dtype=torch.float32, device=device)
        self.offsets = torch.tensor(np.stack(offsets), dtype=torch.float32, device=device)
        if stats.get("meanFrom", "training") == "utterance":
            self.prior_frames = float(stats.get("meanPriorFrames", 0))
        else:
            self.prior_frames = None  # the training mean: the whole offset
        self.limit = 127.0 / float(stats["scale"])  # what the int8 features can hold

    def __call__(self, x, lengths):
        """x: [B, T, D] normalised frames; lengths: [B] frames per utterance (on x's device)."""
        idx = torch.randint(0, self.GRID, (x.shape[0],), device=x.device)
        if self.prior_frames is None:
            w = torch.ones(x.shape[0], device=x.device)
        else:
            w = self.prior_frames / (lengths.float() + self.prior_frames)
        y = torch.bmm(x, self.mats_t[idx]) + (w.unsqueeze(1) * self.offsets[idx]).unsqueeze(1)
        return y.clamp_(-self.limit, self.limit)
