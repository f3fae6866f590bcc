package dev.conceptprune.instruments.nudenet;

import java.util.ArrayList;
import java.util.List;

/**
 * NudeNet 3.0.8's {@code _postprocess}: the raw YOLOv8 head output [4 + classes, anchors] to
 * detections in original-image pixels.
 *
 * <p>An anchor is a candidate when its best class score is at least {@value #CANDIDATE_SCORE}
 * (the first best class on ties, as {@code np.argmax}); its box is shifted by the pads and scaled by
 * the resize factor in float32 (NumPy 2 keeps float32 scalars float32 against Python floats), then
 * rounded half to even as Python's {@code round}. {@link BoxSuppression} with score threshold
 * {@value #NMS_SCORE} and overlap threshold {@value #NMS_OVERLAP} picks the detections.
 */
public final class NudeNetDecoder {
    static final float CANDIDATE_SCORE = 0.2f;
    static final float NMS_SCORE = 0.25f;
    static final float NMS_OVERLAP = 0.45f;
    private static final int BOX_ROWS = 4;

    private NudeNetDecoder() {
    }

    /** An anchor that passed the candidate score, with its box already in image pixels. */
    record Candidate(int classIndex, float score, BoxSuppression.Box box) {
    }

    /**
     * The detections of one image, highest score first.
     *
     * @param output the raw output, row-major [4 + labels, anchors]
     * @param input the preprocessing that produced the model's input (factor and pads)
     * @param labels the class labels, in score-row order
     * @throws IllegalArgumentException when the output does not hold 4 + labels rows
     */
    public static List<NudeNetDetection> decode(float[] output, NudeNetInput input, List<String> labels) {
        return decode(output, input.resizeFactor(), input.padLeft(), input.padTop(), labels);
    }

    static List<NudeNetDetection> decode(float[] output, double resizeFactor, int padLeft, int padTop,
                                         List<String> labels) {
        List<Candidate> candidates = candidates(output, resizeFactor, padLeft, padTop, labels.size());
        List<BoxSuppression.Box> boxes = new ArrayList<>(candidates.size());
        float[] scores = new float[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            boxes.add(candidates.get(i).box());
            scores[i] = candidates.get(i).score();
        }
        List<NudeNetDetection> detections = new ArrayList<>();
        for (int i : BoxSuppression.keep(boxes, scores, NMS_SCORE, NMS_OVERLAP)) {
            Candidate c = candidates.get(i);
            BoxSuppression.Box b = c.box();
            detections.add(new NudeNetDetection(labels.get(c.classIndex()), c.score(),
                    b.left(), b.top(), b.width(), b.height()));
        }
        return detections;
    }

    static List<Candidate> candidates(float[] output, double resizeFactor, int padLeft, int padTop, int classes) {
        int rows = BOX_ROWS + classes;
        if (output.length == 0 || output.length % rows != 0) {
            throw new IllegalArgumentException("a NudeNet output holds " + rows + " rows of anchors, got "
                    + output.length + " values");
        }
        int anchors = output.length / rows;
        float factor = (float) resizeFactor;
        List<Candidate> candidates = new ArrayList<>();
        for (int a = 0; a < anchors; a++) {
            int best = 0;
            float bestScore = output[BOX_ROWS * anchors + a];
            for (int c = 1; c < classes; c++) {
                float s = output[(BOX_ROWS + c) * anchors + a];
                if (s > bestScore) {
                    best = c;
                    bestScore = s;
                }
            }
            if (!(bestScore >= CANDIDATE_SCORE)) {
                continue;
            }
            float cx = output[a];
            float cy = output[anchors + a];
            float w = output[2 * anchors + a];
            float h = output[3 * anchors + a];
            BoxSuppression.Box box = new BoxSuppression.Box(
                    roundHalfEven((cx - w * 0.5f - padLeft) * factor),
                    roundHalfEven((cy - h * 0.5f - padTop) * factor),
                    roundHalfEven(w * factor),
                    roundHalfEven(h * factor));
            candidates.add(new Candidate(best, bestScore, box));
        }
        return candidates;
    }

    private static int roundHalfEven(float v) {
        return (int) Math.rint(v);
    }
}
