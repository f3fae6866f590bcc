package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.WeightFormatException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mask records its fill, reads it back, and unites only with masks of the same fill. */
class MaskFillTest {
    private static final String KEY = "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.weight";

    private static PruneMask mask(Map<String, String> meta, int... idx) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put(PruneMask.FINGERPRINT, "f32-sha256:00");
        return new PruneMask(Map.of(KEY, idx), Map.of(KEY, new long[] {4, 8}), m);
    }

    @Test
    void theFillRoundTripsThroughTheMaskFile(@TempDir Path tmp) {
        MaskMetadata meta = new MaskMetadata(MaskMetadata.METHOD, "ffn2", "Van Gogh", "style", "ab", 0.01, 10, 0, 50,
                7.5, "model", 0, 512, 512, PruneFill.gaussian(7));
        Map<String, String> header = meta.toMap();
        assertEquals(List.of("method", "site", "concepts", "kind", "prompts_sha256", "skill_ratio", "tau",
                "select_ratio", "steps", "guidance", "scheduler", "seed", "height", "width", "fill", "fill_seed"),
                List.copyOf(header.keySet()));
        assertEquals("gaussian", header.get("fill"));
        assertEquals("7", header.get("fill_seed"));
        Path f = tmp.resolve("g.mask.safetensors");
        mask(header, 1, 5).write(f);
        PruneMask back = PruneMask.read(f);
        assertEquals(PruneFill.gaussian(7), back.fill());
        assertEquals(PruneFill.gaussian(7), PruneMask.read(f).union(back).fill(), "a union keeps the common fill");
        assertEquals(PruneFill.gaussian(7), meta.with(0.02, 5).fill(), "sweep masks keep the fill");

        Path old = tmp.resolve("old.mask.safetensors");
        mask(Map.of("concepts", "x"), 2).write(old);
        assertEquals(PruneFill.ZERO, PruneMask.read(old).fill(), "masks from before fills are zero");

        Path bad = tmp.resolve("bad.mask.safetensors");
        mask(Map.of("fill", "bogus"), 2).write(bad);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> PruneMask.read(bad));
        assertTrue(e.getMessage().contains("bad.mask.safetensors") && e.getMessage().contains("'bogus'"),
                e.getMessage());
    }

    @Test
    void masksOfDifferentFillsAreNotUnited() {
        PruneMask zero = mask(PruneFill.ZERO.toMetadata(), 1);
        PruneMask old = mask(Map.of(), 2);
        assertEquals(2, zero.union(old).count(), "an old mask is a zero mask");
        InputException e = assertThrows(InputException.class,
                () -> zero.union(mask(PruneFill.gaussian(3).toMetadata(), 2)));
        assertEquals("masks with different fills cannot be united (zero and gaussian (seed 3)): the pruned weights "
                + "of one edited model get one fill", e.getMessage());
        assertThrows(InputException.class,
                () -> mask(PruneFill.gaussian(4).toMetadata(), 1).union(mask(PruneFill.gaussian(3).toMetadata(), 2)));
    }
}
