package dev.conceptprune.unet;

import static dev.conceptprune.Fixtures.assertClose;
import static dev.conceptprune.unet.UNet2DConditionModelTest.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Downsample2D;
import dev.conceptprune.nn.LayerNorm;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;
import dev.conceptprune.nn.ResnetBlock2D;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.TensorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UNet's blocks one by one, on the inputs diffusers recorded for them. */
class UNetBlocksTest {
    /** Measured 4.8e-7 at most; 0 for the layer norms. */
    private static final double TOL = 5e-6;
    private static final Path WEIGHTS = Fixtures.TINY_SD.resolve("unet/diffusion_pytorch_model.safetensors");
    private static final String TRANSFORMER = "down_blocks.1.attentions.0";
    private static final String BLOCK = TRANSFORMER + ".transformer_blocks.0.";

    private static SafetensorsFile reference(String file) {
        return SafetensorsFile.open(Fixtures.REFERENCE.resolve(file));
    }

    private static void check(SafetensorsFile ref, String name, NDArray actual) {
        assertArrayEquals(ref.info(name).shape(), actual.getShape().getShape(), name + " shape");
        assertClose(name, ref.readFloats(name), actual.toFloatArray(), TOL);
    }

    @Test
    void blockPiecesMatchDiffusers() {
        try (SafetensorsFile ref = reference("unet.safetensors");
             SafetensorsFile inter = reference("unet_intermediates.safetensors");
             TensorStore store = TensorStore.open(WEIGHTS);
             NDManager m = NDManager.newBaseManager()) {
            Params p = new Params(store, m);
            NDArray text = tensor(m, ref, "encoder_hidden_states");
            NDArray timeAct = Ops.silu(tensor(m, inter, "time_embedding.out"), Mutation.IN_PLACE);

            ResnetBlock2D resnet = new ResnetBlock2D(p.sub("down_blocks.1.resnets.0"), 32, 64, 128, 32, 1e-5, 1.0);
            check(inter, "down_blocks.1.resnets.0.out",
                    resnet.forward(tensor(m, inter, "down_blocks.1.resnets.0.in"), timeAct));

            Transformer2D transformer = new Transformer2D(p.sub(TRANSFORMER), 64, 8, 32, 1, 32, false,
                    new ArrayList<>());
            check(inter, TRANSFORMER + ".out", transformer.forward(tensor(m, inter, TRANSFORMER + ".in"), text, null));

            Params bp = p.sub(BLOCK.substring(0, BLOCK.length() - 1));
            NDArray in = tensor(m, inter, BLOCK + "in");
            check(inter, BLOCK + "norm1.out", LayerNorm.load(bp, "norm1", 64, 1e-5).forward(in));
            check(inter, BLOCK + "attn1.out",
                    new CrossAttention(bp.sub("attn1"), 64, 64, 8).forward(tensor(m, inter, BLOCK + "norm1.out"), null));
            NDArray h1 = in.add(tensor(m, inter, BLOCK + "attn1.out"));
            check(inter, BLOCK + "norm2.out", LayerNorm.load(bp, "norm2", 64, 1e-5).forward(h1));
            check(inter, BLOCK + "attn2.out",
                    new CrossAttention(bp.sub("attn2"), 64, 32, 8).forward(tensor(m, inter, BLOCK + "norm2.out"), text));
            NDArray h2 = h1.add(tensor(m, inter, BLOCK + "attn2.out"));
            check(inter, BLOCK + "norm3.out", LayerNorm.load(bp, "norm3", 64, 1e-5).forward(h2));
            List<float[]> geglu = new ArrayList<>();
            FeedForward ff = new FeedForward(bp.sub("ff"), 0, 64, 256);
            check(inter, BLOCK + "ff.out",
                    ff.forward(tensor(m, inter, BLOCK + "norm3.out"), (l, g) -> geglu.add(g.toFloatArray())));
            assertClose(BLOCK + "ff.net.0.out (direct)", inter.readFloats(BLOCK + "ff.net.0.out"), geglu.get(0), 0);
            check(inter, BLOCK + "out", new BasicTransformerBlock(bp, 64, 8, 32, 0).forward(in, text, null));
        }
    }

    /** The same weights as [C, C] linears (SD 2.x layout) must give what the 1x1 convs give. */
    @Test
    void linearProjectionMatchesConvProjection(@TempDir Path dir) {
        Path file = dir.resolve("linear.safetensors");
        try (SafetensorsFile src = SafetensorsFile.open(WEIGHTS)) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (TensorInfo t : src.tensors().values()) {
                if (t.name().startsWith(TRANSFORMER + ".")) {
                    boolean proj = t.name().endsWith("proj_in.weight") || t.name().endsWith("proj_out.weight");
                    long[] shape = proj ? new long[] {t.shape()[0], t.shape()[1]} : t.shape();
                    w.add(t.name(), t.dtype(), shape, src.bytes(t.name()));
                }
            }
            w.write(file);
        }
        try (SafetensorsFile ref = reference("unet.safetensors");
             SafetensorsFile inter = reference("unet_intermediates.safetensors");
             TensorStore store = TensorStore.open(file);
             NDManager m = NDManager.newBaseManager()) {
            Transformer2D linear = new Transformer2D(new Params(store, m).sub(TRANSFORMER), 64, 8, 32, 1, 32, true,
                    new ArrayList<>());
            NDArray out = linear.forward(tensor(m, inter, TRANSFORMER + ".in"), tensor(m, ref, "encoder_hidden_states"),
                    null);
            assertClose(TRANSFORMER + ".out (linear projection)", inter.readFloats(TRANSFORMER + ".out"),
                    out.toFloatArray(), TOL);
        }
    }

    /** downsample_padding 0: diffusers pads one zero column right and one row bottom, then convolves unpadded. */
    @Test
    void downsamplePaddingZeroPadsRightAndBottom() {
        try (TensorStore store = TensorStore.open(WEIGHTS); NDManager m = NDManager.newBaseManager()) {
            Params p = new Params(store, m).sub("down_blocks.0.downsamplers.0");
            m.getEngine().setRandomSeed(3);
            NDArray x = m.randomNormal(new Shape(2, 32, 7, 8));
            NDArray right = x.concat(m.zeros(new Shape(2, 32, 7, 1)), 3);
            NDArray padded = right.concat(m.zeros(new Shape(2, 32, 1, 9)), 2);
            NDArray expected = Conv2d.load(p, "conv", 32, 32, 3, 2, 0).forward(padded);
            NDArray actual = new Downsample2D(p, 32, 0).forward(x);
            assertEquals(new Shape(2, 32, 3, 4), actual.getShape());
            assertEquals(0.0, Fixtures.maxAbsDiff(expected.toFloatArray(), actual.toFloatArray()));
        }
    }
}
