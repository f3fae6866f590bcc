package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.DType;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate and inspect on the tiny SDXL folder, and generate from its single file. */
class SdxlCommandsTest {
    private static final Path REFERENCE = Fixtures.TINY_SDXL.resolve("reference");

    @TempDir
    Path tmp;

    @Test
    void generateWritesTheReferencePng() throws IOException {
        assertReferencePng(Fixtures.TINY_SDXL.toString());
    }

    @Test
    void generateFromTheSingleFileWritesTheReferencePng() throws IOException {
        assertReferencePng(Fixtures.TINY_SDXL.resolve("single_file/tiny-xl.safetensors").toString(), "--config",
                Fixtures.TINY_SDXL.toString());
    }

    private void assertReferencePng(String model, String... options) throws IOException {
        Path latents = tmp.resolve("latents.safetensors");
        String prompt;
        try (SafetensorsFile ref = SafetensorsFile.open(REFERENCE.resolve("pipeline_euler_64.safetensors"))) {
            prompt = ref.metadata().get("prompt");
            new SafetensorsWriter().addFloats("latents", DType.F32, ref.info("initial_latents").shape(),
                    ref.readFloats("initial_latents")).write(latents);
        }
        Path out = tmp.resolve("xl.png");
        List<String> args = new ArrayList<>(List.of("generate", "--model", model,
                "--prompt", prompt, "--steps", "4", "--guidance", "5", "--scheduler", "euler", "--latents",
                latents.toString(), "--original-size", "64,64", "--crop-top-left", "0,0", "--target-size", "64,64",
                "--quiet", "--out", out.toString()));
        args.addAll(List.of(options));
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        BufferedImage expected = ImageIO.read(REFERENCE.resolve("pipeline_euler_64.png").toFile());
        BufferedImage actual = ImageIO.read(out.toFile());
        int worst = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int a = expected.getRGB(x, y);
                int b = actual.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    worst = Math.max(worst, Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)));
                }
            }
        }
        System.out.println("largest channel difference to the reference PNG: " + worst);
        // measured 0: the image is within 2e-6 of diffusers', far from a rounding step
        assertTrue(worst <= 1, "channel values differ by up to " + worst);
    }

    @Test
    void sdxlModelsGuideWithFiveByDefaultAsDiffusers() throws IOException {
        Path byDefault = tmp.resolve("default.png");
        Path five = tmp.resolve("five.png");
        Path sd = tmp.resolve("sd.png");
        for (String[] run : new String[][] {{byDefault.toString()}, {five.toString(), "--guidance", "5"},
            {sd.toString(), "--guidance", "7.5"}}) {
            List<String> args = new ArrayList<>(List.of("generate", "--model", Fixtures.TINY_SDXL.toString(),
                    "--prompt", "a castle", "--steps", "2", "--height", "32", "--width", "32", "--quiet", "--out"));
            args.addAll(List.of(run));
            CliRun r = CliRun.run(args);
            assertEquals(0, r.code(), r.err());
        }
        assertEquals(-1, Files.mismatch(byDefault, five), "the default is 5 on SDXL");
        assertTrue(Files.mismatch(byDefault, sd) != -1, "and not SD's 7.5");
    }

    @Test
    void evalGuidesEachModelWithItsOwnDefaultAndGivesSdxlItsConditions() throws IOException {
        Path prompts = tmp.resolve("prompts.txt");
        Files.write(prompts, List.of("a castle", "a red star"));
        Path plain = tmp.resolve("plain");
        Path conditioned = tmp.resolve("conditioned");
        for (Path out : List.of(plain, conditioned)) {
            List<String> args = new ArrayList<>(List.of("eval", "--model", Fixtures.TINY_SDXL.toString(), "--model",
                    Fixtures.TINY_SD.toString(), "--name", "xl", "--name", "sd", "--prompts", prompts.toString(),
                    "--steps", "2", "--height", "64", "--width", "64", "--quiet", "--out", out.toString()));
            if (out == conditioned) {
                args.addAll(List.of("--original-size", "256,256", "--prompt-2", "a sketch"));
            }
            CliRun r = CliRun.run(args);
            assertEquals(0, r.code(), r.err());
        }
        for (String line : Files.readAllLines(plain.resolve("manifest.jsonl"))) {
            var m = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
            boolean xl = m.getAsJsonObject("model").get("name").getAsString().equals("xl");
            assertEquals(xl ? 5.0 : 7.5, m.get("guidance").getAsDouble(), "each model's own default guidance");
        }
        for (int i = 0; i < 2; i++) {
            assertTrue(Files.mismatch(plain.resolve("images/xl/" + i + ".png"),
                    conditioned.resolve("images/xl/" + i + ".png")) != -1, "the conditions reach SDXL's images");
            assertEquals(-1, Files.mismatch(plain.resolve("images/sd/" + i + ".png"),
                    conditioned.resolve("images/sd/" + i + ".png")), "and leave SD's alone");
        }
    }

    @Test
    void inspectShowsBothTextEncodersAndTheirTokenizers() {
        CliRun r = CliRun.run("inspect", Fixtures.TINY_SDXL.toString());
        assertEquals(0, r.code(), r.err());
        for (String part : new String[] {"StableDiffusionXLPipeline", "[text_encoder_2] CLIPTextModelWithProjection",
            "[tokenizer_2] CLIPTokenizer", "[unet] UNet2DConditionModel"}) {
            assertTrue(r.out().contains(part), part + " in\n" + r.out());
        }
    }
}
