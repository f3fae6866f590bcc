package dev.conceptprune.pipeline;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.runtime.MemoryCheck;
import dev.conceptprune.runtime.ProcessMemory;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.vae.VaeTiling;
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
 * unfolded (9 values per channel and pixel), which libtorch's CPU convolution holds while it runs (and
 * which covers the padded input copy of a Winograd convolution); once per call, the largest Winograd
 * temporaries of the model's convolutions ({@link Conv2d#temporaryValues}: SD 1.5's UNet 240 MB, its VAE 130 MB,
 * nothing for the test models, which are too narrow for Winograd).
 * Measured on the toy model (generate, 2 steps, guidance 7.5): peak resident set 466 MB at 64x64 and
 * 1,184 MB at 512x512, so 718 MB for the larger size; the estimate says 808 MB (the decoder's),
 * 13% above. Attention scores are not counted: the fused
 * attention kernel works in cache-sized blocks and never holds the heads x tokens^2 matrix (the toy
 * model at 512x512, 16,384 tokens per image, would need 17 GB for it and runs in well under 1 GB).
 * {@link #OVERHEAD_BYTES} covers the JVM, libtorch and the allocator's slack.
 *
 * <p>A tiled decode ({@link VaeTiling}) holds one tile's decoder activations at a time, plus every
 * decoded tile (diffusers blends them after decoding all) and the assembled image twice (the
 * row and the whole concatenation). The estimate is also the run's plan: the components whose
 * weights are resident together and whether the decode is tiled; {@link #decodeTiling} chooses
 * tiles when the whole decode would not fit, first the VAE's own and then halves of them.
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
     * The estimate of one run's largest step, and the plan it assumes.
     *
     * @param weightBytes  float32 weights of the resident components
     * @param unetBytes    activations of one UNet call on the batch
     * @param decoderBytes activations of one VAE decode at full size, tile by tile when {@code tiling} is set
     * @param components   the components whose weights are resident together
     * @param tiling       the decode's tiles, or null for a whole decode
     * @param residency    whether the components are resident together or the text encoders and UNet take turns
     */
    public record Estimate(double weightBytes, double unetBytes, double decoderBytes, List<Component> components,
                           VaeTiling tiling, Residency residency) {
        /** Copies the component list. */
        public Estimate {
            components = List.copyOf(components);
        }

        /** An estimate with every component resident. */
        public Estimate(double weightBytes, double unetBytes, double decoderBytes, List<Component> components,
                        VaeTiling tiling) {
            this(weightBytes, unetBytes, decoderBytes, components, tiling, Residency.RESIDENT);
        }

        /** Weights, the larger of the two steps, and the fixed overhead. */
        public double totalBytes() {
            return weightBytes + Math.max(unetBytes, decoderBytes) + OVERHEAD_BYTES;
        }

        /** Which step is the larger one, for messages. */
        public String largestStep() {
            return unetBytes >= decoderBytes ? "the UNet's activations" : "the VAE decoder's activations";
        }

        /** The plan in words: resident components, the UNet step, the decode whole or tiled. */
        public String plan() {
            StringBuilder b = new StringBuilder();
            for (Component c : components) {
                b.append(b.length() == 0 ? "" : ", ").append(c.folderName());
            }
            b.append(residency == Residency.RESIDENT ? " resident (" : " (" + residency.describe() + ", peak ")
                    .append(gb(weightBytes)).append("), UNet ").append(gb(unetBytes))
                    .append(", VAE decode ");
            if (decoderBytes == 0) {
                b.append("none");
            } else if (tiling == null) {
                b.append("whole ").append(gb(decoderBytes));
            } else {
                b.append("in ").append(tiling.tileSample()).append("-pixel tiles ").append(gb(decoderBytes));
            }
            return b.toString();
        }
    }

    /** The components a run keeps resident, in the order of the plan. */
    private static final List<Component> RUN_COMPONENTS = List.of(Component.TEXT_ENCODER, Component.TEXT_ENCODER_2,
            Component.UNET, Component.VAE);

    /**
     * The estimate for {@code unetRows} UNet batch rows (two per image with classifier-free guidance)
     * and {@code decodedImages} images decoded at once (0 when the run does not decode), decoded whole.
     */
    public static Estimate estimate(UNetConfig unet, VaeConfig vae, long parameters, int height, int width,
                                    int unetRows, int decodedImages) {
        return estimate(unet, vae, parameters, height, width, unetRows, decodedImages, null,
                List.of(Component.TEXT_ENCODER, Component.UNET, Component.VAE));
    }

    /**
     * As {@link #estimate(UNetConfig, VaeConfig, long, int, int, int, int)}, decoded in {@code tiling} (null:
     * whole), with {@code components} resident; a null {@code unet} counts no UNet step.
     */
    public static Estimate estimate(UNetConfig unet, VaeConfig vae, long parameters, int height, int width,
                                    int unetRows, int decodedImages, VaeTiling tiling, List<Component> components) {
        return new Estimate(FLOAT * parameters, unetBytes(unet, vae, height, width, unetRows),
                decoderBytes(vae, height, width, decodedImages, tiling), components, tiling);
    }

    /** Activations of one UNet call; 0 without a UNet config (a benchmark of other components). */
    private static double unetBytes(UNetConfig unet, VaeConfig vae, int height, int width, int unetRows) {
        if (unet == null) {
            return 0;
        }
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
        double convolution = 0;
        for (int i = 0; i < c.length; i++) {
            // the up path's first convolution of a level takes the level below's output and the skip
            convolution = Math.max(convolution, Conv2d.temporaryValues(c[i], c[i] + c[Math.min(i + 1, c.length - 1)],
                    ceilDiv(height / f, 1L << i), ceilDiv(width / f, 1L << i)));
        }
        return FLOAT * (unetRows * (skips + working) + convolution);
    }

    /** The largest Winograd temporaries of the decoder's convolutions, decoding {@code height} x {@code width} pixels. */
    private static double decoderConvolution(VaeConfig vae, double height, double width) {
        double most = 0;
        for (int i = 0; i < vae.blocks(); i++) {
            int c = vae.channels(i);
            int above = vae.channels(Math.min(i + 1, vae.blocks() - 1));
            most = Math.max(most, Conv2d.temporaryValues(c, Math.max(c, above), (long) Math.ceil(height / (1L << i)),
                    (long) Math.ceil(width / (1L << i))));
        }
        return most;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Activations of decoding {@code images} at once, whole or (when {@code tiling} splits the latents) tile by tile. */
    static double decoderBytes(VaeConfig vae, int height, int width, int images, VaeTiling tiling) {
        if (images == 0) {
            return 0;
        }
        int last = vae.channels(0);
        int beforeLast = vae.channels(Math.min(1, vae.blocks() - 1));
        double perPixel = (2.0 + UNFOLD) * beforeLast + 2.0 * last + 3;
        double pixels = (double) height * width;
        int f = vae.scaleFactor();
        long latentH = height / f;
        long latentW = width / f;
        if (tiling == null || !tiling.splits(latentH, latentW)) {
            return FLOAT * (images * pixels * perPixel + decoderConvolution(vae, height, width));
        }
        double tileH = (double) Math.min(tiling.tileLatent(), latentH) * f;
        double tileW = (double) Math.min(tiling.tileLatent(), latentW) * f;
        double tilePixels = tileH * tileW;
        double tiles = (double) tiling.tilesAlong(latentH) * tiling.tilesAlong(latentW);
        return FLOAT * (images * (tilePixels * perPixel + 3 * tiles * tilePixels + 2 * 3 * pixels)
                + decoderConvolution(vae, tileH, tileW));
    }

    /** The estimate for a model's own configs and weights, decoded whole. */
    public static Estimate estimate(ModelSource source, int height, int width, int unetRows, int decodedImages) {
        return estimate(UNetConfig.from(source.config(Component.UNET)), VaeConfig.from(source.config(Component.VAE)),
                MemoryCheck.parameterCount(source, List.of(Component.TEXT_ENCODER, Component.UNET, Component.VAE)),
                height, width, unetRows, decodedImages);
    }

    /**
     * The plan of a run on a model: every text encoder, UNet and VAE it has resident, and the decode
     * tiled as {@code tiling} asks, or as {@link #decodeTiling} chooses for the memory {@code available}.
     */
    public static Estimate plan(ModelSource source, int height, int width, int unetRows, int decodedImages,
                                DecodeTiling tiling, long available) {
        List<Component> resident = residentComponents(source);
        Residency residency = Residency.choose(source, available);
        long parameters = residency.peakParameters(source);
        VaeConfig vae = VaeConfig.from(source.config(Component.VAE));
        VaeTiling tiles = decodedImages == 0 ? null
                : decodeTiling(vae, FLOAT * parameters, height, width, decodedImages, tiling, available);
        UNetConfig unet = UNetConfig.from(source.config(Component.UNET));
        return new Estimate(FLOAT * parameters, unetBytes(unet, vae, height, width, unetRows),
                decoderBytes(vae, height, width, decodedImages, tiles), resident, tiles, residency);
    }

    /** The run's components the model has. */
    static List<Component> residentComponents(ModelSource source) {
        return RUN_COMPONENTS.stream().filter(source::has).toList();
    }

    /**
     * The tiles of a decode: those asked for unless {@code request} is automatic; otherwise none when the
     * whole decode fits beside the weights in {@code available} bytes (or that is unknown, < 0), else the
     * VAE's own tiles, halved (at most to a quarter) while they still would not fit.
     */
    public static VaeTiling decodeTiling(VaeConfig vae, double weightBytes, int height, int width, int images,
                                         DecodeTiling request, long available) {
        if (!request.automatic()) {
            return request.tiled() ? request.tiles(vae) : null;
        }
        if (available < 0 || fits(weightBytes + decoderBytes(vae, height, width, images, null), available)) {
            return null;
        }
        VaeTiling tiles = VaeTiling.of(vae);
        int f = vae.scaleFactor();
        int smallest = Math.max(2 * f, tiles.tileSample() / 4);
        while (!fits(weightBytes + decoderBytes(vae, height, width, images, tiles), available)
                && tiles.tileSample() / 2 / f * f >= smallest) {
            tiles = VaeTiling.ofPixels(tiles.tileSample() / 2 / f * f, vae);
        }
        return tiles;
    }

    private static boolean fits(double bytes, long available) {
        return bytes + OVERHEAD_BYTES <= available;
    }

    /**
     * Refuses a run whose plan ({@link #plan}, the decode tiled only when needed) exceeds the memory
     * available now.
     *
     * @throws InputException naming the size, the figures, the larger step and the plan
     */
    public static void require(ModelSource source, int height, int width, int unetRows, int decodedImages) {
        require(source, height, width, unetRows, decodedImages, DecodeTiling.AUTO);
    }

    /** As {@link #require(ModelSource, int, int, int, int)} with the decode tiled as {@code tiling} asks; returns the plan. */
    public static Estimate require(ModelSource source, int height, int width, int unetRows, int decodedImages,
                                   DecodeTiling tiling) {
        long available = ProcessMemory.availableBytes();
        Estimate plan = plan(source, height, width, unetRows, decodedImages, tiling, available);
        require(plan, height, width, available);
        return plan;
    }

    /** As {@link #require(ModelSource, int, int, int, int)} for an estimate; {@code available} < 0: unknown. */
    public static void require(Estimate e, int height, int width, long available) {
        MemoryCheck.requireDirect((long) e.weightBytes(), "the run");
        if (available < 0 || e.totalBytes() <= available) {
            return;
        }
        throw new InputException(String.format(Locale.ROOT,
                "%dx%d needs about %s of memory (%s for %s, %s for the weights; plan: %s); this machine has %s "
                        + "available", height, width, gb(e.totalBytes()), gb(Math.max(e.unetBytes(), e.decoderBytes())),
                e.largestStep(), gb(e.weightBytes()), e.plan(), gb(available)));
    }

    private static String gb(double bytes) {
        double g = bytes / 1e9;
        return String.format(Locale.ROOT, g < 10 ? "%.1f GB" : "%,.0f GB", g);
    }
}
