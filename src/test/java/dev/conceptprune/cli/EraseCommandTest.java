package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.model.DiffusersFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code erase} end to end on the tiny model: outputs, sweep masks from one discovery, evaluation. */
class EraseCommandTest {
    @TempDir
    Path tmp;

    @Test
    void sweepWritesOneMaskPerSettingAndEvaluatesThem() throws IOException {
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.write(base, List.of("a cat", "a dog"));
        Files.write(target, List.of("a cat in the style of Van Gogh", "a dog in the style of Van Gogh"));
        Path evalFile = tmp.resolve("eval.csv");
        Files.write(evalFile, List.of("prompt,evaluation_seed", "a bird in the style of Van Gogh,1", "a bird,2"));
        Path out = tmp.resolve("out");
        CliRun r = CliRun.run("erase", "--model", Fixtures.TINY_SD.toString(), "--base-prompts", base.toString(),
                "--target-prompts", target.toString(), "--concept-name", "Van Gogh", "--skill-ratio", "0.05", "--steps", "3", "--tau", "2",
                "--height", "64", "--width", "64", "--batch", "4", "--sweep", "skill_ratio=0.05,0.1", "--sweep", "tau=1,2",
                "--eval", evalFile.toString(), "--clip", Fixtures.ROOT.resolve("tiny-clip").toString(),
                "--labels", "a painting in the style of Van Gogh", "--labels", "a photo", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        PruneMask main = PruneMask.read(out.resolve("van-gogh.mask.safetensors"));
        PruneMask sameSetting = PruneMask.read(out.resolve("van-gogh.r0.05-t2.mask.safetensors"));
        assertEquals(main.indices().keySet(), sameSetting.indices().keySet());
        main.indices().forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v, sameSetting.indices().get(k),
                "the main mask equals the sweep entry with the same settings: " + k));
        long small = PruneMask.read(out.resolve("van-gogh.r0.05-t1.mask.safetensors")).count();
        long large = PruneMask.read(out.resolve("van-gogh.r0.1-t2.mask.safetensors")).count();
        assertTrue(small <= main.count() && main.count() < large, small + " <= " + main.count() + " < " + large);
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        assertEquals(4, summary.getAsJsonArray("concepts").get(0).getAsJsonObject().getAsJsonArray("sweep").size());
        assertEquals("cpu", summary.get("device").getAsString());
        assertEquals("float32", summary.get("dtype").getAsString());
        DiffusersFolder.open(out.resolve("model")).weights("unet").close();
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("eval/metrics.json"))).getAsJsonObject();
        assertEquals(6, metrics.getAsJsonArray("models").size(), "base, edited and four sweep models");
        String report = Files.readString(out.resolve("sweep-report.html"));
        assertTrue(report.contains("<svg") && report.split("class=\"point\"").length - 1 == 5, "one point per edited model");
        assertTrue(Files.exists(out.resolve("eval/report.html")));
    }
}
