package dev.conceptprune.pipeline;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.unet.UNetConditioning;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SdxlTextConditionerTest {
    /** Measured 8.3e-7 at most (text states and pooled). */
    private static final double TOL = 1e-5;

    private static NDManager manager;
    private static SdxlTextConditioner conditioner;
    private static SafetensorsFile ref;
    private static List<String> prompts;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        conditioner = SdxlTextConditioner.load(DiffusersFolder.open(Fixtures.TINY_SDXL), Runtime.cpu(), manager);
        ref = SafetensorsFile.open(Fixtures.TINY_SDXL.resolve("reference/text_encoders.safetensors"));
        prompts = new ArrayList<>();
        JsonParser.parseString(ref.metadata().get("prompts")).getAsJsonArray()
                .forEach(e -> prompts.add(e.getAsString()));
    }

    @AfterAll
    static void close() {
        ref.close();
        manager.close();
    }

    private static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }

    @Test
    void bothTokenizersMatchTransformers() {
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(ints(ref.readLongs("prompt" + i + ".input_ids_1")),
                    conditioner.tokenizer().encode(prompts.get(i)), "tokenizer, " + prompts.get(i));
            assertArrayEquals(ints(ref.readLongs("prompt" + i + ".input_ids_2")),
                    conditioner.tokenizer2().encode(prompts.get(i)), "tokenizer_2, " + prompts.get(i));
        }
    }

    @Test
    void promptEmbedsAndPooledMatchTheDiffusersPipeline() {
        assertEquals(96, conditioner.width());
        assertEquals(64, conditioner.pooledWidth());
        try (NDManager m = manager.newSubManager()) {
            UNetConditioning c = conditioner.encode(m, prompts);
            int states = 77 * 96;
            for (int i = 0; i < prompts.size(); i++) {
                assertClose("prompt" + i + ".prompt_embeds", ref.readFloats("prompt" + i + ".prompt_embeds"),
                        Fixtures.slice(c.textStates().toFloatArray(), i * states, states), TOL);
                assertClose("prompt" + i + ".pooled_prompt_embeds",
                        ref.readFloats("prompt" + i + ".pooled_prompt_embeds"),
                        Fixtures.slice(c.pooledText().toFloatArray(), i * 64, 64), TOL);
            }
        }
    }

    @Test
    void anAbsentNegativePromptConditionsOnZerosAndAnExplicitOneIsEncoded() {
        try (NDManager m = manager.newSubManager()) {
            String prompt = prompts.get(0);
            UNetConditioning zeros = conditioner.encode(m, new GuidanceBatch(List.of(prompt), "", 5.0));
            int states = 77 * 96;
            float[] text = zeros.textStates().toFloatArray();
            float[] pooled = zeros.pooledText().toFloatArray();
            assertClose("negative_prompt_embeds", ref.readFloats("prompt0.negative_prompt_embeds"),
                    Fixtures.slice(text, 0, states), 0);
            assertClose("negative_pooled_prompt_embeds", ref.readFloats("prompt0.negative_pooled_prompt_embeds"),
                    Fixtures.slice(pooled, 0, 64), 0);
            assertClose("prompt_embeds (guided)", ref.readFloats("prompt0.prompt_embeds"),
                    Fixtures.slice(text, states, states), TOL);

            UNetConditioning encoded = conditioner.encode(m, new GuidanceBatch(List.of(prompt), prompts.get(2), 5.0));
            assertClose("explicit negative prompt", ref.readFloats("prompt2.prompt_embeds"),
                    Fixtures.slice(encoded.textStates().toFloatArray(), 0, states), TOL);
            assertClose("explicit negative pooled", ref.readFloats("prompt2.pooled_prompt_embeds"),
                    Fixtures.slice(encoded.pooledText().toFloatArray(), 0, 64), TOL);

            SdxlTextConditioner noZeros = new SdxlTextConditioner(conditioner.tokenizer(), conditioner.encoder(),
                    conditioner.tokenizer2(), conditioner.encoder2(), false, 0);
            UNetConditioning empty = noZeros.encode(m, new GuidanceBatch(List.of(prompt), "", 5.0));
            assertClose("negative \"\" without force_zeros_for_empty_prompt", ref.readFloats("prompt1.prompt_embeds"),
                    Fixtures.slice(empty.textStates().toFloatArray(), 0, states), TOL);
        }
    }

    @Test
    void theSecondPromptGoesToTheSecondEncoderOnly() {
        try (NDManager m = manager.newSubManager()) {
            String a = prompts.get(0);
            String b = prompts.get(2);
            UNetConditioning mixed = conditioner.encode(m, new GuidanceBatch(List.of(a), "", 1.0, b, null));
            float[] states = mixed.textStates().toFloatArray();
            float[] refA = ref.readFloats("prompt0.prompt_embeds");
            float[] refB = ref.readFloats("prompt2.prompt_embeds");
            float[] expected = new float[states.length];
            for (int t = 0; t < 77; t++) {
                System.arraycopy(refA, t * 96, expected, t * 96, 32);
                System.arraycopy(refB, t * 96 + 32, expected, t * 96 + 32, 64);
            }
            assertClose("prompt / prompt_2 states", expected, states, TOL);
            assertClose("pooled from prompt_2", ref.readFloats("prompt2.pooled_prompt_embeds"),
                    mixed.pooledText().toFloatArray(), TOL);
            assertTrue(Fixtures.maxAbsDiff(refA, states) > 1e-3, "prompt_2 changed the states");
        }
    }
}
