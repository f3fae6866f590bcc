package dev.conceptprune.model.ckpt;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged pickles and archives: each one reads or is refused with a one-line message, never anything else. */
class CkptFuzzTest {
    @TempDir
    Path tmp;

    private static byte[] pickle() {
        return new PickleBytes().proto(2).emptyDict().binput(0).mark().str("state_dict").emptyDict().binput(1).mark()
                .str("a").tensor("FloatStorage", "0", 4, 0, new long[] {2, 2}, new long[] {2, 1})
                .str("b").tensor("HalfStorage", "1", 3, 1, new long[] {2}, new long[] {1})
                .setitems().str("epoch").integer(3).setitems().stop().bytes();
    }

    private static void readsOrRefuses(Runnable r) {
        try {
            r.run();
        } catch (WeightFormatException e) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void everyTruncationAndByteFlipOfThePickleIsHandled() {
        byte[] good = pickle();
        Path f = Path.of("fuzz.ckpt");
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            readsOrRefuses(() -> RestrictedUnpickler.load(f, "data.pkl", cut));
        }
        Random rnd = new Random(14);
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = good.clone();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
            }
            readsOrRefuses(() -> RestrictedUnpickler.load(f, "data.pkl", bad));
        }
    }

    @Test
    void damagedArchivesAreHandled() throws IOException {
        byte[] floats = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3)
                .putFloat(4).array();
        byte[] good = Files.readAllBytes(new CheckpointZip().pickle(pickle()).storage("0", floats)
                .storage("1", new byte[6]).write(tmp.resolve("good.ckpt")));
        Random rnd = new Random(6);
        Path file = tmp.resolve("bad.ckpt");
        for (int i = 0; i < 600; i++) {
            byte[] bad = good.clone();
            for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
            }
            Files.write(file, i % 5 == 0 ? Arrays.copyOf(bad, rnd.nextInt(bad.length)) : bad);
            readsOrRefuses(() -> {
                try (CkptFile ckpt = CkptFile.open(file)) {
                    for (String name : ckpt.names()) {
                        ckpt.bytes(name);
                        ckpt.readFloats(name);
                    }
                }
            });
        }
    }
}
