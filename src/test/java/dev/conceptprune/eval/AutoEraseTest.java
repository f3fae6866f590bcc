package dev.conceptprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.prune.PrunedModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code erase --auto} on the toy world at CI size: every candidate judged on the validation rows with n,
 * the choice written as the erase output (apply of its mask gives the same model), a rerun reusing every
 * image, and a time budget that leaves candidates untried.
 */
class AutoEraseTest {
    private static final Path PROMPTS = Path.of("models/toyworld/prompts");

    @TempDir
    Path tmp;

    private CliRun auto(Path out, String... extra) throws IOException {
        Path validate = tmp.resolve("validate.csv");
        Files.write(validate, List.of("prompt,neutral_prompt,evaluation_seed",
                "a blue cross in the style of Stripes,a blue cross in the style of,0",
                "a red square on grass in the style of Stripes,a red square on grass in the style of,1",
                "an orange circle at night in the style of Stripes,an orange circle at night in the style of,2",
                "a blue square on grass in the style of Polka,,3", "a red star on sand in the style of Waves,,4",
                "a green heart at night,,5"));
        List<String> args = new ArrayList<>(List.of("erase", "--auto", "--model", Fixtures.TOYWORLD.toString(),
                "--base-prompts", PROMPTS.resolve("stripes_base.txt").toString(), "--target-prompts",
                PROMPTS.resolve("stripes_target.txt").toString(), "--concept-name", "Stripes", "--neutral-prompts",
                PROMPTS.resolve("stripes_neutral.txt").toString(), "--preserve-prompts",
                PROMPTS.resolve("stripes_preserve.txt").toString(), "--validate", validate.toString(),
                "--texture-styles", "--concept-label", "Stripes", "--steps", "8", "--batch", "6", "--sweep",
                "site=attn2-kv", "--sweep", "skill-ratio=0.4", "--quiet", "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args);
    }

    @Test
    void judgesEveryCandidateWritesTheChoiceAndReusesItsImages() throws IOException {
        Path out = tmp.resolve("auto");
        CliRun r = auto(out);
        assertEquals(0, r.code(), r.err());
        JsonObject result = JsonParser.parseString(Files.readString(out.resolve(AutoErase.RESULT))).getAsJsonObject();
        JsonArray candidates = result.getAsJsonArray("candidates");
        assertEquals(2, candidates.size(), "attn2-kv 0.4 with zero and with matched fill");
        for (var e : candidates) {
            JsonObject f = e.getAsJsonObject().getAsJsonObject("figures");
            assertEquals(3, f.getAsJsonObject("concept").get("n").getAsInt(), "three rows ask for Stripes");
            assertEquals(3, f.getAsJsonObject("neutral").get("n").getAsInt());
            assertEquals(3, f.getAsJsonObject("preserved").get("n").getAsInt(), "three rows to keep");
        }
        assertEquals(3, result.getAsJsonObject("base").getAsJsonObject("concept").get("n").getAsInt());
        String chosen = result.get("chosen").getAsString();
        assertTrue(r.out().contains("chosen: " + chosen), r.out());
        String mask = null;
        for (var e : candidates) {
            if (e.getAsJsonObject().get("label").getAsString().equals(chosen)) {
                mask = e.getAsJsonObject().get("mask").getAsString();
            }
        }
        assertEquals(-1, Files.mismatch(out.resolve(mask), out.resolve("stripes.mask.safetensors")));
        Path applied = tmp.resolve("applied");
        CliRun a = CliRun.run("apply", "--model", Fixtures.TOYWORLD.toString(), "--mask",
                out.resolve("stripes.mask.safetensors").toString(), "--out", applied.toString());
        assertEquals(0, a.code(), a.err());
        assertEquals(Set.of(), PrunedModelWriter.differingFiles(out.resolve("model"), applied));
        assertTrue(Files.readString(out.resolve(AutoErase.REPORT)).contains("<svg"), "the frontier is plotted");
        assertFalse(Files.exists(out.resolve("auto/models/attn2-kv-r0.4-zero")), "candidate models are removed");

        Path image = out.resolve("auto/eval/attn2-kv-r0.4-matched/images/attn2-kv-r0.4-matched/0.png");
        FileTime before = Files.getLastModifiedTime(image);
        CliRun again = auto(out, "--force");
        assertEquals(0, again.code(), again.err());
        assertEquals(before, Files.getLastModifiedTime(image), "a rerun reuses the images");
        JsonObject second = JsonParser.parseString(Files.readString(out.resolve(AutoErase.RESULT))).getAsJsonObject();
        assertEquals(candidates.toString().replaceAll("\"seconds\":[0-9.eE-]+", ""),
                second.getAsJsonArray("candidates").toString().replaceAll("\"seconds\":[0-9.eE-]+", ""));
    }

    @Test
    void aDryRunListsTheCandidatesAndWritesNothing() throws IOException {
        Path out = tmp.resolve("dry");
        CliRun r = auto(out, "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 candidates, each judged on 6 validation rows by texture_style ('Stripes')"),
                r.out());
        assertTrue(r.out().contains("attn2-kv r=0.4 matched"), r.out());
        assertFalse(Files.exists(out.resolve(AutoErase.RESULT)));
    }

    @Test
    void aSpentBudgetLeavesCandidatesUntried() throws IOException {
        Path out = tmp.resolve("budget");
        CliRun r = auto(out, "--max-minutes", "0.0001");
        assertEquals(0, r.code(), r.err());
        JsonObject result = JsonParser.parseString(Files.readString(out.resolve(AutoErase.RESULT))).getAsJsonObject();
        assertEquals(0, result.getAsJsonArray("candidates").size());
        assertEquals(2, result.getAsJsonArray("not_tried").size());
        assertFalse(result.has("chosen") && !result.get("chosen").isJsonNull());
        assertTrue(r.err().contains("warning: the time budget ran out"), r.err());
        assertFalse(Files.exists(out.resolve("model")), "nothing chosen, no model");
    }
}
