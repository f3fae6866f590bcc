package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's erasure on the real toy-world model, small enough for CI (6 Stripes prompts and 6
 * others, PNDM 10 steps): the direction of the effect must hold. Measured at these settings:
 * Stripes in 6/6 target images before and 0/6 after; mean pixel change 0.231 on target images
 * vs 0.131 on the others (1.8x). Thresholds: at least 0.5 fewer, and 1.3x, for margin.
 */
class DemoRegressionTest {
    @TempDir
    Path tmp;

    @Test
    void erasingStripesRemovesThemFromTargetImagesAndSparesOthers() throws IOException {
        Path out = tmp.resolve("demo");
        CliRun r = CliRun.run("demo", "--limit", "6", "--steps", "10", "--batch", "6", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        JsonObject m = metrics.getAsJsonArray("results").get(0).getAsJsonObject().getAsJsonObject("metrics");
        double before = m.get("target_style_before").getAsDouble();
        double after = m.get("target_style_after").getAsDouble();
        double targetChange = m.get("target_change").getAsDouble();
        double otherChange = m.get("other_change").getAsDouble();
        System.out.printf("demo regression: Stripes %.2f -> %.2f, target change %.4f, other change %.4f%n", before,
                after, targetChange, otherChange);
        assertTrue(before >= 0.8, "the base model draws Stripes: " + before);
        assertTrue(after <= before - 0.5, "Stripes detected on far fewer target images: " + before + " -> " + after);
        assertTrue(targetChange >= 1.3 * otherChange, "other styles change much less: " + targetChange + " vs "
                + otherChange);
        assertTrue(Files.exists(out.resolve("report.html")));
        assertTrue(Files.exists(out.resolve("model/unet/diffusion_pytorch_model.safetensors")));
        assertEquals(24, Files.readAllLines(out.resolve("manifest.jsonl")).size(), "12 before + 12 after");
    }
}
