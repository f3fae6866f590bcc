package dev.conceptprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows that give their own size (I2P's sd_image_height/width columns) are drawn at it; unusable ones are listed. */
class EvalRowSizeTest {
    @TempDir
    Path tmp;

    @Test
    void rowsAreDrawnAtTheirOwnSizeAndBadSizesAreSkippedWithTheirLine() throws IOException {
        Path prompts = tmp.resolve("sized.csv");
        Files.write(prompts, List.of("prompt,sd_image_height,sd_image_width,evaluation_seed",
                "a red star,32,48,1", "a blue circle,,,2", "a green square,abc,64,3", "a red star,48,32,4"));
        Path out = tmp.resolve("eval");
        CliRun r = CliRun.run("eval", "--model", Fixtures.TOYWORLD.toString(), "--prompts", prompts.toString(),
                "--steps", "2", "--height", "64", "--width", "64", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(3, lines.size(), "the row with a bad size is skipped");
        int[][] expected = {{32, 48}, {64, 64}, {48, 32}};
        for (int i = 0; i < 3; i++) {
            JsonObject m = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals(expected[i][0], m.get("height").getAsInt());
            assertEquals(expected[i][1], m.get("width").getAsInt());
            BufferedImage png = ImageIO.read(out.resolve(m.get("file").getAsString()).toFile());
            assertEquals(expected[i][0], png.getHeight());
            assertEquals(expected[i][1], png.getWidth());
        }
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        String problem = metrics.getAsJsonObject("prompts").getAsJsonArray("problem_lines").get(0).getAsString();
        assertTrue(problem.startsWith("line 4: sd_image_height 'abc' is not a whole number"), problem);
    }
}
