package dev.conceptprune.vae;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.DType;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny SD VAE against diffusers' outputs in {@code reference/vae.safetensors}. */
class AutoencoderKLTest {
    /** Measured 4.1e-6 on every decoder output. */
    private static final double DECODE_TOL = 5e-5;
    /** Measured 1.3e-6 on the encoder's moments and the posterior's statistics. */
    private static final double ENCODE_TOL = 2e-5;

    private static NDManager manager;
    private static AutoencoderKL vae;
    private static SafetensorsFile ref;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        vae = AutoencoderKL.load(DiffusersFolder.open(Fixtures.TINY_SD), manager);
        ref = SafetensorsFile.open(Fixtures.REFERENCE.resolve("vae.safetensors"));
    }

    @AfterAll
    static void close() {
        ref.close();
        manager.close();
    }

    private static NDArray input(NDManager m, String name) {
        return m.create(ref.readFloats(name), new Shape(ref.info(name).shape()));
    }

    @Test
    void decodeAppliesScalingAndMatchesDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray latents = input(m, "latents");
            NDArray decoded = vae.decode(latents);
            assertEquals(new Shape(1, 3, 128, 128), decoded.getShape());
            assertClose("decode(latents)", ref.readFloats("decoded"), decoded.toFloatArray(), DECODE_TOL);
        }
    }

    @Test
    void decodeRawMatchesDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray decoded = vae.decodeRaw(input(m, "decoder_input"));
            assertClose("decodeRaw(decoder_input)", ref.readFloats("decoded"), decoded.toFloatArray(), DECODE_TOL);
        }
    }

    @Test
    void encodeMatchesDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray image = input(m, "encoder_image");
            assertClose("encoder_moments", ref.readFloats("encoder_moments"), vae.moments(image).toFloatArray(), ENCODE_TOL);
            try (Posterior p = vae.encode(image)) {
                assertClose("posterior_mean", ref.readFloats("posterior_mean"), p.mean().toFloatArray(), ENCODE_TOL);
                assertClose("posterior_logvar", ref.readFloats("posterior_logvar"), p.logvar().toFloatArray(), ENCODE_TOL);
                assertClose("posterior_std", ref.readFloats("posterior_std"), p.std().toFloatArray(), ENCODE_TOL);
            }
            NDArray mean = vae.encodeMean(image);
            assertArrayEquals(new long[] {1, 4, 16, 16}, mean.getShape().getShape());
            assertClose("encodeMean", ref.readFloats("posterior_mean"), mean.toFloatArray(), ENCODE_TOL);
        }
    }

    @Test
    void legacyAttentionNamesLoadTheSameModel(@TempDir Path dir) {
        Path folder = Fixtures.TINY_SD.resolve("vae");
        Path renamed = dir.resolve("legacy.safetensors");
        try (SafetensorsFile original = SafetensorsFile.open(folder.resolve("diffusion_pytorch_model.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (TensorInfo t : original.tensors().values()) {
                w.addFloats(legacyName(t.name()), DType.F32, t.shape(), original.readFloats(t.name()));
            }
            w.write(renamed);
        }
        VaeConfig cfg = VaeConfig.from(Config.read(folder.resolve("config.json")));
        try (TensorStore store = TensorStore.open(renamed); NDManager m = manager.newSubManager()) {
            assertTrue(store.has("decoder.mid_block.attentions.0.proj_attn.weight"));
            AutoencoderKL legacy = AutoencoderKL.load(cfg, store, Runtime.cpu(), m);
            NDArray decoded = legacy.decodeRaw(input(m, "decoder_input"));
            assertClose("decodeRaw with query/key/value/proj_attn names", ref.readFloats("decoded"),
                    decoded.toFloatArray(), DECODE_TOL);
        }
    }

    private static String legacyName(String name) {
        return name.replace(".to_q.", ".query.").replace(".to_k.", ".key.").replace(".to_v.", ".value.")
                .replace(".to_out.0.", ".proj_attn.");
    }

    @Test
    void scaleFactorFollowsBlockCount() {
        assertEquals(8, vae.scaleFactor());
    }
}
