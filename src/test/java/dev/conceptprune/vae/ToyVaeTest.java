package dev.conceptprune.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.DiffusersFolder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The trained fp16 toy-world VAE: 3 blocks, 16 norm groups, scaling factor 0.77738. */
class ToyVaeTest {
    private static NDManager manager;
    private static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        vae = AutoencoderKL.load(DiffusersFolder.open(Fixtures.TOYWORLD), manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void decodesLatentsToFiniteImage() {
        assertEquals(4, vae.scaleFactor());
        assertEquals(16, vae.config().normGroups());
        assertEquals(0.77738, vae.config().scalingFactor());
        try (NDManager m = manager.newSubManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray latents = m.randomNormal(new Shape(1, 4, 16, 16));
            NDArray image = vae.decode(latents);
            assertEquals(new Shape(1, 3, 64, 64), image.getShape());
            for (float v : image.toFloatArray()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void encodeDecodeRoundTripReconstructsImages() throws IOException {
        BufferedImage drawn = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = drawn.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 64, 64);
        g.setColor(Color.RED);
        g.fillOval(18, 20, 26, 26);
        g.dispose();
        double drawnMse = roundTripMse("red disc on white", drawn);
        double truthMse = roundTripMse("examples/truth_0.png",
                ImageIO.read(Fixtures.TOYWORLD.resolveSibling("examples/truth_0.png").toFile()));
        // The toy README reports a reconstruction MSE of 0.010 over its training data.
        assertTrue(drawnMse < 0.05 && truthMse < 0.05, "round-trip MSE too large");
    }

    /** MSE in [-1, 1] units of decode(encodeMean(x) * scaling_factor) against x. */
    private static double roundTripMse(String what, BufferedImage img) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = Images.fromImage(m, img);
            NDArray latents = vae.encodeMean(x).mul((float) vae.config().scalingFactor());
            assertEquals(new Shape(1, 4, 16, 16), latents.getShape());
            NDArray back = vae.decode(latents);
            double mse = back.sub(x).square().mean().getFloat();
            double maxErr = back.sub(x).abs().max().getFloat();
            System.out.printf("toy VAE round trip (%s): MSE %.4f, max abs error %.3f ([-1,1] units)%n",
                    what, mse, maxErr);
            return mse;
        }
    }
}
