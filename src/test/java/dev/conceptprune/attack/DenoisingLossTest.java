package dev.conceptprune.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.clip.ClipTextConfig;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.unet.UNet2DConditionModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The denoising loss and its gradients through tiny-sd equal PyTorch autograd's (the gradients fixture). */
class DenoisingLossTest {
    private static final Path FIXTURE = Fixtures.ROOT.resolve("gradients/diffusion_loss_grads.safetensors");

    @Test
    void lossAndGradientsMatchPyTorch() {
        ModelSource tiny = ModelSource.open(Fixtures.TINY_SD);
        Runtime tracked = Runtime.cpu().withGradients(true);
        try (SafetensorsFile ref = SafetensorsFile.open(FIXTURE); NDManager m = tracked.newManager()) {
            ClipTextModel text = ClipTextModel.load(tiny, ClipTextConfig.from(tiny.config(Component.TEXT_ENCODER)),
                    tracked, m);
            UNet2DConditionModel unet = UNet2DConditionModel.load(tiny, tracked, m);
            long[] ids = ref.readLongs("input_ids");
            int[][] tokens = new int[1][ids.length];
            for (int i = 0; i < ids.length; i++) {
                tokens[0][i] = Math.toIntExact(ids[i]);
            }
            Shape textShape = new Shape(ref.info("encoder_hidden_states").shape());
            Shape latentShape = new Shape(ref.info("x0").shape());
            float[] embeddings;
            try (NDManager s = m.newSubManager()) {
                NDArray e = text.tokenEmbeddings(s, tokens);
                embeddings = e.toFloatArray();
            }
            int t = Integer.parseInt(ref.metadata().get("timestep"));
            float[] noisy = Schedulers.from(tiny, null).addNoise(ref.readFloats("x0"), ref.readFloats("eps"), t);
            // measured 0 (the scheduler's float32 maths is diffusers')
            Fixtures.assertClose("x_t", ref.readFloats("x_t"), noisy, 1e-6);

            DenoisingLoss objective = new DenoisingLoss(text, unet);
            int arrays = m.getManagedArrays().size();
            DenoisingLoss.Gradients g = objective.gradients(m, embeddings, textShape, noisy, latentShape, t,
                    ref.readFloats("eps"));
            DenoisingLoss.Gradients again = objective.gradients(m, embeddings, textShape, noisy, latentShape, t,
                    ref.readFloats("eps"));
            assertEquals(arrays, m.getManagedArrays().size(), "no array or graph outlives a call");
            assertEquals(g.loss(), again.loss(), "a second call sees the same weights and inputs");
            double loss = ref.readFloats("loss")[0];
            System.out.printf("loss %.8f vs %.8f%n", g.loss(), loss);
            // measured equal to 8 digits
            assertEquals(loss, g.loss(), 1e-6 * loss);
            double states = relative(ref.readFloats("grad_encoder_hidden_states"), g.textStates());
            double tokensErr = relative(ref.readFloats("grad_input_token_embeddings"), g.tokenEmbeddings());
            System.out.printf("gradient relative error: text states %.3g, token embeddings %.3g%n", states, tokensErr);
            // measured 3.1e-6 and 3.8e-6
            assertTrue(states < 4e-5, "dL/dstates relative error " + states);
            assertTrue(tokensErr < 4e-5, "dL/dE relative error " + tokensErr);
        }
    }

    /** Largest absolute difference over the reference's largest magnitude. */
    private static double relative(float[] ref, float[] got) {
        return Fixtures.maxAbsDiff(ref, got) / Math.max(Fixtures.maxAbs(ref), 1e-30);
    }
}
