package dev.conceptprune.clip;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.SafetensorsFile;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClipScorerTest {
    private static ClipScorer scorer;

    @BeforeAll
    static void open() {
        scorer = ClipScorer.open(ClipFixture.DIR);
    }

    @AfterAll
    static void close() {
        scorer.close();
    }

    @Test
    void logitsMatchTransformers() {
        List<String> prompts = ClipFixture.prompts();
        List<BufferedImage> images = ClipFixture.images();
        float[] img = scorer.imageEmbeddings(images);
        float[] txt = scorer.textEmbeddings(prompts);
        float[] logits = new float[images.size() * prompts.size()];
        for (int i = 0; i < images.size(); i++) {
            for (int t = 0; t < prompts.size(); t++) {
                logits[i * prompts.size() + t] = (float) (scorer.logitScale() * dot(img, i, txt, t));
            }
        }
        try (SafetensorsFile ref = SafetensorsFile.open(ClipFixture.OUTPUTS)) {
            // measured 1.5e-6
            assertClose("logits_per_image", ref.readFloats("logits_per_image"), logits, 2e-5);
        }
    }

    @Test
    void embeddingsHaveUnitLength() {
        float[] img = scorer.imageEmbeddings(ClipFixture.images());
        float[] txt = scorer.textEmbeddings(ClipFixture.prompts());
        // measured 4.5e-8: float32 rounding of the normalised components
        for (int r = 0; r < 3; r++) {
            assertEquals(1.0, dot(img, r, img, r), 5e-7);
        }
        for (int r = 0; r < 4; r++) {
            assertEquals(1.0, dot(txt, r, txt, r), 5e-7);
        }
    }

    @Test
    void zeroShotProbabilitiesSumToOneAndPickTheReferenceArgmax() {
        List<String> labels = ClipFixture.prompts();
        List<BufferedImage> images = ClipFixture.images();
        try (SafetensorsFile ref = SafetensorsFile.open(ClipFixture.OUTPUTS)) {
            float[] logits = ref.readFloats("logits_per_image");
            for (int i = 0; i < images.size(); i++) {
                ZeroShot z = scorer.zeroShot(images.get(i), labels);
                double sum = 0;
                for (double p : z.probabilities()) {
                    assertTrue(p >= 0 && p <= 1);
                    sum += p;
                }
                // measured 2.2e-16: double rounding
                assertEquals(1.0, sum, 2e-15);
                int expected = 0;
                for (int t = 1; t < labels.size(); t++) {
                    if (logits[i * labels.size() + t] > logits[i * labels.size() + expected]) {
                        expected = t;
                    }
                }
                System.out.printf("zero-shot image%d: '%s' p=%.4f%n", i, z.bestLabel(), z.probabilities()[z.best()]);
                assertEquals(expected, z.best(), "argmax for image " + i);
                assertEquals(labels.get(expected), z.bestLabel());
            }
        }
    }

    @Test
    void clipScoreIsHundredTimesClampedCosine() {
        BufferedImage image = ClipFixture.images().get(0);
        for (String prompt : ClipFixture.prompts()) {
            double cos = scorer.cosine(image, prompt);
            assertTrue(cos >= -1 && cos <= 1);
            assertEquals(100 * Math.max(cos, 0), scorer.clipScore(image, prompt));
        }
        double cos = scorer.cosine(image, "a photo of a cat");
        double expected = dot(scorer.imageEmbeddings(List.of(image)), 0, scorer.textEmbeddings(List.of("a photo of a cat")), 0);
        assertEquals(expected, cos);
    }

    @Test
    void longListsAreSplitIntoBatchesWithTheSameResult() {
        List<String> prompts = ClipFixture.prompts();
        String[] many = new String[37];
        for (int i = 0; i < many.length; i++) {
            many[i] = prompts.get(i % prompts.size());
        }
        float[] all = scorer.textEmbeddings(List.of(many));
        float[] single = scorer.textEmbeddings(prompts);
        int d = scorer.dim();
        for (int i = 0; i < many.length; i++) {
            for (int k = 0; k < d; k++) {
                // measured 6.0e-8: float rounding of batches of another size
                assertEquals(single[(i % prompts.size()) * d + k], all[i * d + k], 6e-7);
            }
        }
        assertEquals(0, scorer.imageEmbeddings(List.of()).length);
    }

    private double dot(float[] a, int rowA, float[] b, int rowB) {
        int d = scorer.dim();
        double s = 0;
        for (int k = 0; k < d; k++) {
            s += (double) a[rowA * d + k] * b[rowB * d + k];
        }
        return s;
    }
}
