package dev.conceptprune.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.conceptprune.nn.Params;
import dev.conceptprune.unet.UNetConfig;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SD 1.x/2.x UNet on ONNX Runtime's CPU provider, for fixed latent and text shapes, with the
 * weights our UNet loads under the same names: the peer that {@code bench} times beside our own
 * UNet. All graph optimizations are on and the session uses the given number of threads.
 */
public final class OrtUNet implements AutoCloseable {
    private final OrtEnvironment env;
    private final Map<String, OnnxTensorLike> weights;
    private final OrtSession session;
    private final long[] sampleShape;
    private final long[] textShape;

    private OrtUNet(OrtEnvironment env, Map<String, OnnxTensorLike> weights, OrtSession session, long[] sampleShape,
                    long[] textShape) {
        this.env = env;
        this.weights = weights;
        this.session = session;
        this.sampleShape = sampleShape;
        this.textShape = textShape;
    }

    /**
     * Builds the graph and the session.
     *
     * @param p the UNet's root weight view (a model's store or seeded random weights)
     * @param sampleShape latents [B, in_channels, H, W]
     * @param textLength text tokens per row
     * @param fusedAttention ONNX Runtime's fused multi-head attention instead of MatMul/Softmax/MatMul
     * @param profile a folder for ONNX Runtime's profile of every call (see {@link #operatorMillis}), or null
     * @throws IllegalArgumentException for a UNet or shape the graph does not cover (SDXL's text_time)
     */
    public static OrtUNet build(UNetConfig cfg, Params p, long[] sampleShape, long textLength, int threads,
                                boolean fusedAttention, Path profile) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensorLike> weights = new LinkedHashMap<>();
        try {
            UNetGraph graph = UNetGraph.build(cfg, p, sampleShape[0], sampleShape[2], sampleShape[3], textLength,
                    fusedAttention, (name, shape, data) -> weights.put(name, tensor(env, data, shape)));
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.addExternalInitializers(weights);
                if (profile != null) {
                    options.enableProfiling(profile.resolve("unet").toString());
                }
                OrtSession session = env.createSession(graph.graph().model(), options);
                long[] text = {sampleShape[0], textLength, cfg.crossAttentionDim()[0]};
                return new OrtUNet(env, weights, session, sampleShape.clone(), text);
            }
        } catch (OrtException e) {
            closeAll(weights);
            throw new IllegalStateException("ONNX Runtime could not build the UNet: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(weights);
            throw e;
        }
    }

    /**
     * Fails with an {@link IllegalArgumentException} naming what the graph does not cover: SDXL's
     * text_time UNets, and latents [h, w] not divisible by the UNet's downsampling.
     */
    public static void requireSupported(UNetConfig cfg, long h, long w) {
        UNetGraph.requireSupported(cfg, h, w);
    }

    /**
     * One UNet call: the noise prediction for latents and text states of the built shapes, both
     * row-major float32, at one timestep for the whole batch.
     */
    public float[] forward(float[] sample, float timestep, float[] textStates) {
        try (OnnxTensor s = tensor(env, sample, sampleShape);
             OnnxTensor t = tensor(env, new float[] {timestep}, new long[] {1});
             OnnxTensor text = tensor(env, textStates, textShape);
             OrtSession.Result r = session.run(Map.of(UNetGraph.SAMPLE, s, UNetGraph.TIMESTEP, t,
                     UNetGraph.TEXT, text))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] result = new float[out.remaining()];
            out.get(result);
            return result;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime UNet call failed: " + e.getMessage(), e);
        }
    }

    /**
     * Ends the profile the session was built with and sums it: milliseconds per call by operator
     * type over the last {@code calls} calls, largest first. The trace file is deleted.
     */
    public Map<String, Double> operatorMillis(int calls) {
        Path trace = null;
        try {
            trace = Path.of(session.endProfiling());
            return OrtProfile.perOperator(trace, calls);
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("could not read ONNX Runtime's profile: " + e.getMessage(), e);
        } finally {
            if (trace != null) {
                trace.toFile().delete();
            }
        }
    }

    /** The ONNX Runtime library's version. */
    public static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    private static OnnxTensor tensor(OrtEnvironment env, float[] data, long[] shape) {
        try {
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not hold a tensor: " + e.getMessage(), e);
        }
    }

    private static void closeAll(Map<String, OnnxTensorLike> tensors) {
        tensors.values().forEach(OnnxTensorLike::close);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not close the UNet session: " + e.getMessage(), e);
        } finally {
            closeAll(weights);
        }
    }
}
