package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;

/**
 * A 3x3, stride 1, padding 1 float32 convolution by Winograd's minimal filtering (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015). F(2x2, 3x3) transforms every 4x4 input tile by
 * B^T d B and the filters by G g G^T, multiplies them element-wise in 16 products, and the inverse
 * transform A^T m A turns those into a 2x2 output tile: 16 multiplications where the direct
 * convolution spends 36. Over all tiles and channels the products are 16 matrix products
 * [out, in] x [in, tiles], which MKL runs near the CPU's peak. Its transforms hold only 0, 1 and 1/2,
 * so its float32 rounding error stays at the direct convolution's (SD 1.5's shapes: 4.8-7.8e-7 of the
 * output's largest magnitude). F(4x4, 3x3) takes 6x6 tiles to 4x4 outputs in 36 products, 4x fewer
 * multiplications, but its transforms hold up to 8 and its error is 2.3e-6 to 5.6e-6, 4-17x the direct
 * convolution's: it is opt-in ({@link ConvAlgorithm#WINOGRAD4}).
 *
 * <p>The tiles are taken one sample at a time, in bands of rows of at most {@link #BAND_VALUES} input values
 * so a transformed band stays in cache; as every choice depends on the sample's size only, a sample's output
 * is the same bits whatever batch it is computed in, as with libtorch's kernels. The filters are
 * transformed on every call (16/9 or 4x the weights, so nothing extra stays resident); all inside one
 * TorchScript call, which libtorch's autograd records when gradients are on, so the attacks differentiate
 * the forward that generation runs.
 */
final class WinogradConv {
    /**
     * Input values per band of rows: the fastest of 1, 2, 4 and 8 Mi values for F(2x2, 3x3) on SD 1.5's UNet
     * and VAE shapes (at 8 Mi the 64x64 and 128x128 levels ran 7-17% slower).
     */
    static final int BAND_VALUES = 1 << 21;
    /**
     * Fewest input and output channels: at 128 channels the transforms, which move memory, cost what the
     * products save (a VAE's 512x512 level ran at the direct convolution's speed), from 256 on it pays.
     */
    static final long MIN_CHANNELS = 256;
    /**
     * Fewest output pixels per sample: at 8x8 the filter transform on every call costs more than the products
     * save (SD 1.5's 8x8 level, 1280 channels, batch 2: 11.5 ms plus 12.8 ms for the transform against 21.7 ms
     * direct); at 16x16 the products save more (1280 channels: 31.0 against 37.0 ms at batch 1, 45.7 against
     * 69.1 at batch 2; 320 channels, batch 1, as in a 128x128 image: 2.9 against 2.2 ms, the exception).
     */
    static final long MIN_PIXELS = 256;
    /**
     * Fewest output pixels per sample for F(4x4, 3x3) under {@link ConvAlgorithm#WINOGRAD4}; below it
     * F(2x2, 3x3): at 16x16 the larger filter transform eats what the fewer products save (1280
     * channels at batch 2: 42.4 against 45.7 ms), at 32x32 it does not (640 channels: 29.1 against 41.5).
     */
    static final long MIN_PIXELS_4X4 = 1024;

    private static final String CLASS_NAME = "WinogradConv";
    /**
     * forward assembles the output in place; tracked, for autograd, out of place (libtorch refuses in-place
     * writes into the views it would record), from the same bands and the same bias add, so the same bits.
     */
    private static final String METHODS = "  def operands(self: __torch__." + CLASS_NAME
            + ", x: Tensor, weight: Tensor, bt: Tensor, g: Tensor, at: Tensor, budget: int)"
            + " -> Tuple[Tensor, Tensor, Tensor, Tensor, int]:\n"
            + "    m = at.size(0)\n"
            + "    a = m + 2\n"
            + "    o = weight.size(0)\n"
            + "    c = weight.size(1)\n"
            + "    u = torch.mm(torch.kron(g, g), weight.reshape(o * c, 9).t()).view(a * a, o, c)\n"
            + "    h = x.size(2)\n"
            + "    w = x.size(3)\n"
            + "    ww = (w + m - 1) // m * m\n"
            + "    xp = torch.constant_pad_nd(x, [1, ww + 1 - w, 1, (h + m - 1) // m * m + 1 - h], 0.)\n"
            + "    rows = max(m, budget // (c * ww) // m * m)\n"
            + "    return torch.kron(bt, bt), torch.kron(at, at), u, xp, rows\n"
            + "  def cropped(self: __torch__." + CLASS_NAME + ", out: Tensor, x: Tensor) -> Tensor:\n"
            + "    if out.size(2) != x.size(2) or out.size(3) != x.size(3):\n"
            + "      return out[:, :, :x.size(2), :x.size(3)].contiguous()\n"
            + "    return out\n"
            + "  def band(self: __torch__." + CLASS_NAME
            + ", xp: Tensor, u: Tensor, kb: Tensor, ka: Tensor, m: int, r0: int, r: int) -> Tensor:\n"
            + "    a = m + 2\n"
            + "    c = xp.size(0)\n"
            + "    o = u.size(1)\n"
            + "    th = r // m\n"
            + "    tw = (xp.size(2) - 2) // m\n"
            + "    t = th * tw\n"
            + "    d = xp[:, r0:r0 + r + 2].unfold(1, a, m).unfold(2, a, m).permute(3, 4, 0, 1, 2)"
            + ".reshape(a * a, c * t)\n"
            + "    v = torch.mm(kb, d).view(a * a, c, t)\n"
            + "    p = torch.bmm(u, v).view(a * a, o * t)\n"
            + "    return torch.mm(ka, p).view(m, m, o, th, tw).permute(2, 3, 0, 4, 1)\n"
            + "  def forward(self: __torch__." + CLASS_NAME
            + ", x: Tensor, weight: Tensor, bias: Tensor, bt: Tensor, g: Tensor, at: Tensor,"
            + " bandValues: Tensor) -> Tensor:\n"
            + "    m = at.size(0)\n"
            + "    kb, ka, u, xp, rows = self.operands(x, weight, bt, g, at, int(bandValues))\n"
            + "    n = x.size(0)\n"
            + "    o = weight.size(0)\n"
            + "    hh = xp.size(2) - 2\n"
            + "    ww = xp.size(3) - 2\n"
            + "    out = x.new_empty([n, o, hh, ww])\n"
            + "    for i in range(n):\n"
            + "      for r0 in range(0, hh, rows):\n"
            + "        r = min(rows, hh - r0)\n"
            + "        dst = out[i, :, r0:r0 + r]\n"
            + "        dst.view([o, r // m, m, ww // m, m]).copy_(self.band(xp[i], u, kb, ka, m, r0, r))\n"
            + "        dst.add_(bias.view(o, 1, 1))\n"
            + "    return self.cropped(out, x)\n"
            + "  def tracked(self: __torch__." + CLASS_NAME
            + ", x: Tensor, weight: Tensor, bias: Tensor, bt: Tensor, g: Tensor, at: Tensor,"
            + " bandValues: Tensor) -> Tensor:\n"
            + "    m = at.size(0)\n"
            + "    kb, ka, u, xp, rows = self.operands(x, weight, bt, g, at, int(bandValues))\n"
            + "    o = weight.size(0)\n"
            + "    hh = xp.size(2) - 2\n"
            + "    ww = xp.size(3) - 2\n"
            + "    samples: List[Tensor] = []\n"
            + "    for i in range(x.size(0)):\n"
            + "      bands: List[Tensor] = []\n"
            + "      for r0 in range(0, hh, rows):\n"
            + "        r = min(rows, hh - r0)\n"
            + "        bands.append(self.band(xp[i], u, kb, ka, m, r0, r).reshape(o, r, ww))\n"
            + "      samples.append(torch.cat(bands, 1))\n"
            + "    out = torch.stack(samples, 0) + bias.view(1, o, 1, 1)\n"
            + "    return self.cropped(out, x)\n";

    private WinogradConv() {
    }

    /**
     * True when {@code x} convolved with {@code weight} is computed here under the process's
     * {@link Runtime#convAlgorithm()}: a Winograd one, a float32 3x3 kernel, stride 1, padding 1, at least
     * {@link #MIN_CHANNELS} channels in and out, {@link #MIN_PIXELS} output pixels per sample, on the CPU,
     * with a bias.
     */
    static boolean applies(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape w = weight.getShape();
        Shape s = x.getShape();
        return bias != null && stride == 1 && padding == 1 && w.get(2) == 3 && w.get(3) == 3 && s.dimension() == 4
                && pays(w.get(0), w.get(1), s.get(2) * s.get(3))
                && x.getDataType() == DataType.FLOAT32 && weight.getDataType() == DataType.FLOAT32
                && !x.getDevice().isGpu();
    }

    /**
     * True when {@link Runtime#convAlgorithm()} is a Winograd one and a 3x3 convolution of {@code in} to
     * {@code out} channels at {@code pixels} output pixels per sample is wide and large enough to pay for it.
     */
    private static boolean pays(long out, long in, long pixels) {
        return Runtime.convAlgorithm() != ConvAlgorithm.DIRECT && out >= MIN_CHANNELS && in >= MIN_CHANNELS
                && pixels >= MIN_PIXELS;
    }

    /**
     * The convolution of NCHW {@code x} with {@code weight} [out, in, 3, 3] plus {@code bias}, in x's manager,
     * by the tiles {@link Runtime#convAlgorithm()} takes for x's size.
     */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        Shape s = x.getShape();
        return apply(x, weight, bias, tiles(s.get(2) * s.get(3)), BAND_VALUES);
    }

    /** The tiles {@link Runtime#convAlgorithm()} takes for samples of {@code pixels} pixels. */
    private static Tiles tiles(long pixels) {
        return Runtime.convAlgorithm() == ConvAlgorithm.WINOGRAD4 && pixels >= MIN_PIXELS_4X4 ? Tiles.F4X4 : Tiles.F2X2;
    }

    /**
     * Float32 values a convolution of {@code in} channels to {@code out} at {@code height} x {@code width} holds
     * here besides its input and output, under {@link Runtime#convAlgorithm()}: the transformed filters and one
     * band's tiles, transformed tiles, products and result; 0 where libtorch computes it.
     */
    static double temporaryValues(long out, long in, long height, long width) {
        long pixels = height * width;
        if (!pays(out, in, pixels)) {
            return 0;
        }
        Tiles t = tiles(pixels);
        double growth = (double) (t.input * t.input) / (t.output * t.output);
        double band = Math.min(BAND_VALUES, (double) in * pixels);
        double perOut = (double) out / in;
        return (double) t.input * t.input * out * in + band * (2 * growth + (growth + 1) * perOut);
    }

    /**
     * As {@link #apply(NDArray, NDArray, NDArray)} by {@code tiles}, in bands of rows of at most
     * {@code bandValues} input values.
     */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias, Tiles tiles, int bandValues) {
        NDManager m = x.getManager();
        try (NDArray bt = m.create(tiles.bt, new Shape(tiles.input, tiles.input));
             NDArray g = m.create(tiles.g, new Shape(tiles.input, 3));
             NDArray at = m.create(tiles.at, new Shape(tiles.output, tiles.input));
             NDArray band = m.create((long) bandValues)) {
            return TorchScriptArchive.call(Loaded.MODULE, JniUtils.isGradMode() ? "tracked" : "forward", x, weight,
                    bias, bt, g, at, band);
        }
    }

    /** The two tile sizes: output tile, input tile and the three transforms, row-major. */
    enum Tiles {
        F2X2(2, new float[] {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1},
                new float[] {1, 0, 0, .5f, .5f, .5f, .5f, -.5f, .5f, 0, 0, 1},
                new float[] {1, 1, 1, 0, 0, 1, -1, -1}),
        // Evaluation points 0, 1, -1, 2, -1/2 and infinity: among the most exact of 0, +-1 and two of
        // +-1/4 .. +-4 measured, with B^T and A^T exact in binary; the usual 0, 1, -1, 2, -2 round to 2-3x the
        // error (SD 1.5's shapes: 5.6e-6 to 1.4e-5 of the output's largest magnitude against 2.3e-6 to 5.6e-6)
        F4X4(4, new float[] {2, 3, -4, -3, 2, 0, 0, -2, -5, -1, 2, 0, 0, 2, 1, -5, 2, 0, 0, -1, -2, 1, 2, 0,
            0, 2, -1, -2, 1, 0, 0, 2, 3, -4, -3, 2},
                new float[] {1 / 2f, 0, 0, -1 / 6f, -1 / 6f, -1 / 6f, 1 / 6f, -1 / 6f, 1 / 6f, 1 / 30f, 1 / 15f,
                    2 / 15f, -16 / 15f, 8 / 15f, -4 / 15f, 0, 0, 1 / 2f},
                new float[] {1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -.5f, 0, 0, 1, 1, 4, .25f, 0, 0, 1, -1, 8, -.125f, 1});

        final int output;
        final int input;
        final float[] bt;
        final float[] g;
        final float[] at;

        Tiles(int output, float[] bt, float[] g, float[] at) {
            this.output = output;
            this.input = output + 2;
            this.bt = bt;
            this.g = g;
            this.at = at;
        }
    }

    /** Holder: the module is compiled on first use; it and its manager live as long as the process. */
    private static final class Loaded {
        static final PtSymbolBlock MODULE = TorchScriptArchive.load(CLASS_NAME, METHODS, "Winograd convolution");
    }
}
