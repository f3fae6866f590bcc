package dev.conceptprune.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.DiffusersFolder;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiled decode on the trained toy VAE (factor 4, sample_size 64: 16-latent tiles every 12 latents,
 * 16 pixels blended, 48 kept), on the latents of a natural image of 160x176 pixels: 4 x 4 tiles, the
 * last column 8 latents wide.
 */
class VaeTilingTest {
    private static final int HEIGHT = 160;
    private static final int WIDTH = 176;

    private static NDManager manager;
    private static AutoencoderKL vae;
    private static VaeTiling tiling;
    private static float[] latents;
    private static Shape latentShape;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        vae = AutoencoderKL.load(DiffusersFolder.open(Fixtures.TOYWORLD), manager);
        tiling = VaeTiling.of(vae.config());
        BufferedImage grid = ImageIO.read(Fixtures.TOYWORLD.resolveSibling("examples/grid_truth_top_model_bottom.png")
                .toFile());
        BufferedImage scaled = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(grid, 0, 0, WIDTH, HEIGHT, null);
        g.dispose();
        try (NDManager m = manager.newSubManager()) {
            NDArray z = vae.encodeMean(Images.fromImage(m, scaled)).mul((float) vae.config().scalingFactor());
            latentShape = z.getShape();
            latents = z.toFloatArray();
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void tileSizesFollowDiffusers() {
        assertEquals(new VaeTiling(64, 16), tiling);
        assertEquals(12, tiling.strideLatent());
        assertEquals(16, tiling.blendExtent());
        assertEquals(48, tiling.rowLimit());
        assertEquals(4, tiling.tilesAlong(40));
        assertFalse(tiling.splits(16, 16), "one tile's latents decode whole");
        assertTrue(tiling.splits(16, 17));
        assertEquals(new VaeTiling(32, 8), VaeTiling.ofPixels(32, vae.config()));
        assertThrows(InputException.class, () -> VaeTiling.ofPixels(30, vae.config()));
        assertThrows(InputException.class, () -> VaeTiling.ofPixels(4, vae.config()));
    }

    /** The tiled decode against diffusers' loops (blend_v, blend_h, row_limit) written out over the tiles' own decodes. */
    @Test
    void tiledDecodeIsDiffusersAlgorithm() {
        try (NDManager m = manager.newSubManager()) {
            float[] tiled = vae.decode(m.create(latents, latentShape), tiling).toFloatArray();
            float[] expected = diffusersTiledDecode(m);
            Fixtures.assertClose("tiled decode vs diffusers' tiled_decode loops", expected, tiled, 1e-6);
        }
    }

    @Test
    void seamsAreInvisible() {
        try (NDManager m = manager.newSubManager()) {
            float[] full = vae.decode(m.create(latents, latentShape)).toFloatArray();
            float[] tiled = vae.decode(m.create(latents, latentShape), tiling).toFloatArray();
            int seam = tiling.rowLimit();
            int blend = tiling.blendExtent();
            double nearSeams = 0;
            double elsewhere = 0;
            double ownStep = 0;
            double seamStep = 0;
            double extraAtSeams = 0;
            double extraElsewhere = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < HEIGHT; y++) {
                    for (int x = 0; x < WIDTH; x++) {
                        int i = (c * HEIGHT + y) * WIDTH + x;
                        double d = Math.abs(tiled[i] - full[i]);
                        if (nearSeam(y, seam, blend) || nearSeam(x, seam, blend)) {
                            nearSeams = Math.max(nearSeams, d);
                        } else {
                            elsewhere = Math.max(elsewhere, d);
                        }
                        for (int back : new int[] {x > 0 ? 1 : 0, y > 0 ? WIDTH : 0}) {
                            if (back == 0) {
                                continue;
                            }
                            int p = back == 1 ? x : y;
                            double own = Math.abs(full[i] - full[i - back]);
                            double step = Math.abs(tiled[i] - tiled[i - back]);
                            double extra = Math.abs((tiled[i] - tiled[i - back]) - (full[i] - full[i - back]));
                            ownStep = Math.max(ownStep, own);
                            if (p >= seam && (p % seam == 0 || p % seam == blend)) {
                                seamStep = Math.max(seamStep, step);
                                extraAtSeams = Math.max(extraAtSeams, extra);
                            } else {
                                extraElsewhere = Math.max(extraElsewhere, extra);
                            }
                        }
                    }
                }
            }
            System.out.printf("tiled vs full decode ([-1, 1] units): max |diff| near seams %.4f, elsewhere %.4f; "
                    + "largest step across a seam edge %.4f, largest neighbouring-pixel step of the image %.4f; "
                    + "step beyond the full decode's at seam edges %.4f, at other pixels %.4f%n",
                    nearSeams, elsewhere, seamStep, ownStep, extraAtSeams, extraElsewhere);
            assertTrue(seamStep < ownStep, "a seam edge steps further than any two neighbouring pixels of the image");
            assertTrue(extraAtSeams < extraElsewhere,
                    "the tiles add a larger step at their seams than anywhere else: " + extraAtSeams);
        }
    }

    /** Within a band of {@code blend} pixels either side of a seam's blended zone (seam .. seam + blend). */
    private static boolean nearSeam(int p, int seam, int blend) {
        int offset = p % seam;
        return p >= seam && (offset < 2 * blend || offset >= seam - blend);
    }

    /** diffusers' tiled_decode for batch 1, with the blends as its per-row loops on float32 values. */
    private static float[] diffusersTiledDecode(NDManager m) {
        long h = latentShape.get(2);
        long w = latentShape.get(3);
        int stride = tiling.strideLatent();
        int side = tiling.tileLatent();
        NDArray z = m.create(latents, latentShape);
        int rows = tiling.tilesAlong(h);
        int cols = tiling.tilesAlong(w);
        float[][][] tiles = new float[rows][cols][];
        int[][] heights = new int[rows][cols];
        int[][] widths = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                NDArray tile = z.get(new NDIndex(":, :, {}:{}, {}:{}", r * stride, Math.min(r * stride + side, h),
                        c * stride, Math.min(c * stride + side, w)));
                NDArray decoded = vae.decode(tile);
                tiles[r][c] = decoded.toFloatArray();
                heights[r][c] = (int) decoded.getShape().get(2);
                widths[r][c] = (int) decoded.getShape().get(3);
            }
        }
        int extent = tiling.blendExtent();
        int limit = tiling.rowLimit();
        float[] out = new float[3 * HEIGHT * WIDTH];
        int top = 0;
        for (int r = 0; r < rows; r++) {
            int left = 0;
            for (int c = 0; c < cols; c++) {
                float[] b = tiles[r][c];
                int bh = heights[r][c];
                int bw = widths[r][c];
                if (r > 0) {
                    float[] a = tiles[r - 1][c];
                    int ah = heights[r - 1][c];
                    int e = Math.min(Math.min(ah, bh), extent);
                    for (int y = 0; y < e; y++) {
                        float keep = (float) (1 - (double) y / e);
                        float take = (float) ((double) y / e);
                        for (int ch = 0; ch < 3; ch++) {
                            for (int x = 0; x < bw; x++) {
                                int ib = (ch * bh + y) * bw + x;
                                b[ib] = a[(ch * ah + ah - e + y) * bw + x] * keep + b[ib] * take;
                            }
                        }
                    }
                }
                if (c > 0) {
                    float[] a = tiles[r][c - 1];
                    int aw = widths[r][c - 1];
                    int e = Math.min(Math.min(aw, bw), extent);
                    for (int x = 0; x < e; x++) {
                        float keep = (float) (1 - (double) x / e);
                        float take = (float) ((double) x / e);
                        for (int ch = 0; ch < 3; ch++) {
                            for (int y = 0; y < bh; y++) {
                                int ib = (ch * bh + y) * bw + x;
                                b[ib] = a[(ch * bh + y) * aw + aw - e + x] * keep + b[ib] * take;
                            }
                        }
                    }
                }
                int keptH = Math.min(limit, bh);
                int keptW = Math.min(limit, bw);
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < keptH; y++) {
                        for (int x = 0; x < keptW; x++) {
                            out[(ch * HEIGHT + top + y) * WIDTH + left + x] = b[(ch * bh + y) * bw + x];
                        }
                    }
                }
                left += keptW;
            }
            top += Math.min(limit, heights[r][0]);
        }
        return out;
    }
}
