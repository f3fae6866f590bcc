package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.prune.EditedModel;
import dev.conceptprune.prune.WeightEdits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attack --method recover} end to end: the method's options reach the attack, outputs land as documented. */
class AttackCommandTest {
    private static final Path SINGLE = Fixtures.ROOT.resolve("tiny-sd1-single/tiny-sd1c.safetensors");
    private static final String LAYER = "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight";

    @TempDir
    Path tmp;

    @Test
    void recoversASingleFileWithTheGivenOptions() throws IOException {
        ModelSource base = ModelSource.open(SINGLE);
        Path pruned = tmp.resolve("pruned/tiny-sd1c.safetensors");
        int[] zeroed = {3, 40, 77, 130, 200, 511};
        Files.createDirectories(pruned.getParent());
        EditedModel.export(base, new WeightEdits(Map.of(LAYER, new WeightEdits.Edit(
                new long[] {64, 64}, zeroed, new float[zeroed.length]))), pruned, false);
        Path out = tmp.resolve("out");
        CliRun r = CliRun.run("attack", "--method", "recover", "--model", pruned.toString(), "--out", out.toString(),
                "--site", "attn2-k,ffn1", "--top-ratio", "0.5", "--iterations", "50", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("recovered 1 matrix (3 of 6 pruned entries set)"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("tiny-sd1c.safetensors")), "the file keeps its name");
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("recovery.json"))).getAsJsonObject();
        assertEquals("recover", json.get("method").getAsString());
        JsonArray sites = json.getAsJsonArray("sites");
        assertEquals("[\"attn2-k\",\"ffn1\"]", sites.toString(), "the sites given replace the default");
        assertEquals(0.5, json.get("top_ratio").getAsDouble());
        assertEquals(50, json.get("max_iterations").getAsInt());
        assertEquals(LAYER, json.getAsJsonArray("recovered").get(0).getAsJsonObject().get("parameter").getAsString());
        assertEquals("tiny-sd1c.safetensors", json.get("recovered_model").getAsString());
    }

    @Test
    void takesThePapersSettingsByDefaultAndWarnsWhenNothingIsPruned() throws IOException {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.run("attack", "--method", "recover", "--model", Fixtures.TINY_SD.toString(), "--out",
                out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("warning: no weight of the sites [ffn2] has a zero share"), r.err());
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("recovery.json"))).getAsJsonObject();
        assertEquals(0.6, json.get("top_ratio").getAsDouble());
        assertEquals(500, json.get("max_iterations").getAsInt());
        assertEquals(1e-5, json.get("tolerance").getAsDouble());
        assertEquals(0.001, json.get("min_zero_share").getAsDouble());
        assertEquals("[\"ffn2\"]", json.getAsJsonArray("sites").toString());
        assertTrue(json.get("unchanged").getAsBoolean());
        assertTrue(Files.isDirectory(out.resolve("model/unet")));
    }
}
