package dev.conceptprune.pipeline;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.runtime.MemoryCheck;
import dev.conceptprune.runtime.ProcessMemory;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import java.util.List;
import java.util.Locale;

/**
 * The memory a run's largest step needs, from the model's configs and the image size, so that a size
 * the machine cannot hold is refused before any work instead of swapping or hanging. All sums are in
 * doubles: sizes that overflow an int (a latent side of 12,500 squared, times channels) are estimated,
 * not wrapped.
 *
 * <p>What is counted, in float32: the UNet's skip connections (every down-block output, kept for the
 * up path) plus the working set of a full-resolution transformer block (GEGLU's 2 x inner projection,
 * its gated half, and the block's hidden states, norm and attention input and output); the VAE
 * decoder's last, full-size up block (the upsampled input of the second-to-last block's width, its
 * norm, and two tensors of the last block's width); in both, the largest 3x3 convolution's input
 * unfolded (9 values per channel and pixel), which libtorch's CPU convolution holds while it runs.
 * Measured on the toy model (generate, 2 steps, guidance 7.5): peak resident set 466 MB at 64x64 and
 * 1,184 MB at 512x512, so 718 MB for the larger size; the estimate says 808 MB (the decoder's),
 * 13% above. Attention scores are not counted: the fused
 * attention kernel works in cache-sized blocks and never holds the heads x tokens^2 matrix (the toy
 * model at 512x512, 16,384 tokens per image, would need 17 GB for it and runs in well under 1 GB).
 * {@link #OVERHEAD_BYTES} covers the JVM, libtorch and the allocator's slack.
 */
public final class SamplingMemory {
    /** Memory used besides weights and activations: JVM heap and code, libtorch, freed-but-kept blocks. */
    static final double OVERHEAD_BYTES = 1.0e9;
    private static final double FLOAT = 4;
    /** A 3x3 convolution's unfolded input: 9 values per input channel and pixel. */
    private static final double UNFOLD = 9;

    private SamplingMemory() {
    }

    /**
     * The estimate of one run's largest step.
     *
     * @param weightBytes  float32 weights of text encoder, UNet and VAE
     * @param unetBytes    activations of one UNet call on the batch
     * @param decoderBytes activations of one VAE decode at full size
     */
    public record Estimate(double weightBytes, double unetBytes, double decoderBytes) {
        /** Weights, the larger of the two steps, and the fixed overhead. */
        public double totalBytes() {
            return weightBytes + Math.max(unetBytes, decoderBytes) + OVERHEAD_BYTES;
        }

        /** Which step is the larger one, for messages. */
        public String largestStep() {
            return unetBytes >= decoderBytes ? "the UNet's activations" : "the VAE decoder's activations";
        }
    }

    /**
     * The estimate for {@code unetRows} UNet batch rows (two per image with classifier-free guidance)
     * and {@code decodedImages} images decoded at once (0 when the run does not decode).
     */
    public static Estimate estimate(UNetConfig unet, VaeConfig vae, long parameters, int height, int width,
                                    int unetRows, int decodedImages) {
        int f = vae.scaleFactor();
        double tokens = ((double) height / f) * ((double) width / f);
        int[] c = unet.blockOutChannels();
        double skips = c[0] * tokens;
        for (int i = 0; i < c.length; i++) {
            double level = tokens / Math.pow(4, i);
            skips += unet.layersPerBlock()[i] * c[i] * level;
            if (i < c.length - 1) {
                skips += c[i] * level / 4;
            }
        }
        double working = (unet.downHasAttention(0) ? 16 : 6) * c[0] * tokens
                + UNFOLD * (c[0] + c[Math.min(1, c.length - 1)]) * tokens;
        double unetBytes = FLOAT * unetRows * (skips + working);
        int last = vae.channels(0);
        int beforeLast = vae.channels(Math.min(1, vae.blocks() - 1));
        double pixels = (double) height * width;
        double decoderBytes = FLOAT * decodedImages * pixels * ((2.0 + UNFOLD) * beforeLast + 2.0 * last + 3);
        return new Estimate(FLOAT * parameters, unetBytes, decoderBytes);
    }

    /** The estimate for a model's own configs and weights. */
    public static Estimate estimate(ModelSource source, int height, int width, int unetRows, int decodedImages) {
        long parameters = MemoryCheck.parameterCount(source,
                List.of(Component.TEXT_ENCODER, Component.UNET, Component.VAE));
        return estimate(UNetConfig.from(source.config(Component.UNET)), VaeConfig.from(source.config(Component.VAE)),
                parameters, height, width, unetRows, decodedImages);
    }

    /**
     * Refuses a run whose estimate exceeds the memory available now.
     *
     * @throws InputException naming the size, the figures and the larger step
     */
    public static void require(ModelSource source, int height, int width, int unetRows, int decodedImages) {
        require(estimate(source, height, width, unetRows, decodedImages), height, width,
                ProcessMemory.availableBytes());
    }

    /** As {@link #require(ModelSource, int, int, int, int)} for an estimate; {@code available} < 0: unknown. */
    public static void require(Estimate e, int height, int width, long available) {
        if (available < 0 || e.totalBytes() <= available) {
            return;
        }
        throw new InputException(String.format(Locale.ROOT,
                "%dx%d needs about %s of memory (%s for %s, %s for the weights); this machine has %s available",
                height, width, gb(e.totalBytes()), gb(Math.max(e.unetBytes(), e.decoderBytes())), e.largestStep(),
                gb(e.weightBytes()), gb(available)));
    }

    private static String gb(double bytes) {
        double g = bytes / 1e9;
        return String.format(Locale.ROOT, g < 10 ? "%.1f GB" : "%,.0f GB", g);
    }
}
