package dev.conceptprune.instruments.nudenet;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.conceptprune.io.InputException;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The NudeNet 3.x detector (a YOLOv8 ONNX graph such as NudeNet's {@code 320n.onnx}) run through
 * ONNX Runtime on the CPU, with NudeNet's own pre- and postprocessing. Thread-safe; close it to free
 * the session.
 */
public final class NudeNet implements AutoCloseable {
    private static final int OUTPUT_ROWS = 4 + NudeNetLabels.ALL.size();

    private final Path file;
    private final OrtSession session;
    private final String inputName;
    private final int inputSize;

    private NudeNet(Path file, OrtSession session, String inputName, int inputSize) {
        this.file = file;
        this.session = session;
        this.inputName = inputName;
        this.inputSize = inputSize;
    }

    /**
     * Opens the ONNX model in {@code onnxFile}, with as many intra-op threads as
     * {@link dev.conceptprune.runtime.Runtime#threads()}.
     *
     * @throws InputException when the file is missing, is not an ONNX model, or its interface is not
     *     NudeNet's: one float input [1, 3, S, S] and a float output [1, 22, N]
     */
    public static NudeNet load(Path onnxFile) {
        if (!Files.isRegularFile(onnxFile)) {
            throw new InputException(onnxFile + ": no such NudeNet model file");
        }
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(dev.conceptprune.runtime.Runtime.threads());
            session = OrtEnvironment.getEnvironment().createSession(onnxFile.toString(), options);
        } catch (OrtException e) {
            throw new InputException(onnxFile + " is not a readable ONNX model: " + firstLine(e.getMessage()), e);
        }
        try {
            String inputName = checkInput(onnxFile, session.getInputInfo());
            int size = (int) floatShape(session.getInputInfo().get(inputName))[2];
            checkOutput(onnxFile, session.getOutputInfo());
            return new NudeNet(onnxFile, session, inputName, size);
        } catch (OrtException e) {
            closeQuietly(session, e);
            throw new InputException(onnxFile + ": cannot read the model's interface: " + firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            closeQuietly(session, e);
            throw e;
        }
    }

    private static String checkInput(Path file, Map<String, NodeInfo> inputs) {
        if (inputs.size() != 1) {
            throw new InputException(file + " is not a NudeNet model: it has " + inputs.size()
                    + " inputs, NudeNet has one image input");
        }
        Map.Entry<String, NodeInfo> input = inputs.entrySet().iterator().next();
        long[] shape = floatShape(input.getValue());
        if (shape == null || shape.length != 4 || shape[0] != 1 || shape[1] != 3 || shape[2] < 1 || shape[2] != shape[3]) {
            throw new InputException(file + " is not a NudeNet model: its input '" + input.getKey() + "' is "
                    + describe(input.getValue()) + ", NudeNet's is float [1, 3, S, S] with a fixed S");
        }
        return input.getKey();
    }

    private static void checkOutput(Path file, Map<String, NodeInfo> outputs) {
        NodeInfo output = outputs.isEmpty() ? null : outputs.values().iterator().next();
        long[] shape = output == null ? null : floatShape(output);
        if (shape == null || shape.length != 3 || shape[0] != 1 || shape[1] != OUTPUT_ROWS || shape[2] == 0) {
            throw new InputException(file + " is not a NudeNet model: its output is "
                    + (output == null ? "missing" : describe(output)) + ", NudeNet's is float [1, " + OUTPUT_ROWS + ", N]");
        }
    }

    /** The shape of a float tensor node, or null for anything else. */
    private static long[] floatShape(NodeInfo node) {
        if (node.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT) {
            return t.getShape();
        }
        return null;
    }

    private static String describe(NodeInfo node) {
        if (node.getInfo() instanceof TensorInfo t) {
            return t.type.toString().toLowerCase(Locale.ROOT) + " " + Arrays.toString(t.getShape());
        }
        return "not a tensor";
    }

    /** The detections in {@code image}, highest score first, as NudeNet's {@code detect} returns them. */
    public List<NudeNetDetection> detect(BufferedImage image) {
        NudeNetInput input = NudeNetInput.of(image, inputSize);
        return NudeNetDecoder.decode(rawOutput(input), input, NudeNetLabels.ALL);
    }

    /**
     * The model's raw output [1, 22, N] for a prepared input, flat.
     *
     * @throws IllegalArgumentException when the input was prepared for another size
     * @throws IllegalStateException when ONNX Runtime fails or returns an unexpected shape
     */
    public float[] rawOutput(NudeNetInput input) {
        if (input.size() != inputSize) {
            throw new IllegalArgumentException("input prepared for " + input.size() + " px, the model takes " + inputSize);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {1, 3, inputSize, inputSize};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.tensor()), shape);
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            OnnxValue value = result.get(0);
            if (!(value instanceof OnnxTensor out) || out.getInfo().getShape().length != 3
                    || out.getInfo().getShape()[1] != OUTPUT_ROWS) {
                throw new IllegalStateException(file + ": unexpected output " + value.getInfo());
            }
            FloatBuffer buffer = out.getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": ONNX Runtime failed: " + firstLine(e.getMessage()), e);
        }
    }

    /** The model's square input side in pixels (320 or 640 for NudeNet's models). */
    public int inputSize() {
        return inputSize;
    }

    /** The 18 class labels in the model's score order. */
    public List<String> labels() {
        return NudeNetLabels.ALL;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": cannot close the ONNX Runtime session", e);
        }
    }

    private static void closeQuietly(OrtSession session, Exception cause) {
        try {
            session.close();
        } catch (OrtException e) {
            cause.addSuppressed(e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String line = message.strip();
        int end = line.indexOf('\n');
        return end < 0 ? line : line.substring(0, end).strip();
    }
}
