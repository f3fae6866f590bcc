package dev.conceptprune.model.ckpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints that try to run code or bend the format: each is refused with one line naming what
 * it asked for, and nothing it names is run (the marker file its command would create never appears).
 */
class HostileCheckpointTest {
    @TempDir
    Path tmp;

    /**
     * A valid checkpoint {'state_dict': {'w': tensor, 'x': <payload>}} whose payload the caller
     * writes; the storage and the rest of the archive are as torch writes them.
     */
    private String refused(Consumer<PickleBytes> payload) throws IOException {
        PickleBytes p = new PickleBytes().proto(2).emptyDict().binput(0).mark().str("state_dict").emptyDict().mark()
                .str("w").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).str("x");
        payload.accept(p);
        p.setitems().setitems().stop();
        byte[] storage = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).array();
        Path file = new CheckpointZip().pickle(p.bytes()).storage("0", storage).write(tmp.resolve("evil.ckpt"));
        String m = CkptFileTest.refusal(file);
        assertFalse(Files.exists(tmp.resolve("pwned")), "nothing ran");
        return m;
    }

    private String command() {
        return "touch " + tmp.resolve("pwned");
    }

    @Test
    void osSystemIsRefusedByName() throws IOException {
        String m = refused(p -> p.global("os", "system").str(command()).tuple1().reduce());
        assertTrue(m.contains("global os.system") && m.contains("refused"), m);
        assertTrue(m.contains("archive/data.pkl"), m);
    }

    @Test
    void builtinsEvalIsRefusedByName() throws IOException {
        String m = refused(p -> p.global("builtins", "eval").str("__import__('os').system('" + command() + "')")
                .tuple1().reduce());
        assertTrue(m.contains("global builtins.eval"), m);
    }

    @Test
    void subprocessPopenIsRefusedByName() throws IOException {
        String m = refused(p -> p.global("subprocess", "Popen").mark().str("touch").str(command().substring(6))
                .tuple().tuple1().reduce());
        assertTrue(m.contains("global subprocess.Popen"), m);
    }

    @Test
    void stackGlobalIsCheckedLikeGlobal() throws IOException {
        String m = refused(p -> p.shortStr("posix").shortStr("system").op(0x93).str(command()).tuple1().reduce());
        assertTrue(m.contains("global posix.system"), m);
    }

    @Test
    void lookalikeNamesOfAllowedGlobalsAreRefused() throws IOException {
        assertTrue(refused(p -> p.global("torch._utils", "_rebuild_tensor_v3"))
                .contains("torch._utils._rebuild_tensor_v3"));
        assertTrue(refused(p -> p.global("torch", "load")).contains("global torch.load"));
        assertTrue(refused(p -> p.global("collections", "OrderedDict ")).contains("collections.OrderedDict "));
    }

    @Test
    void allowedGlobalsCannotBeMisused() throws IOException {
        String storage = refused(p -> p.global("torch", "HalfStorage").emptyTuple().reduce());
        assertTrue(storage.contains("REDUCE of torch.HalfStorage is not allowed"), storage);
        String build = refused(p -> p.emptyDict().emptyDict().build());
        assertTrue(build.contains("BUILD on a dict"), build);
        String odict = refused(p -> p.global("collections", "OrderedDict").str("x").tuple1().reduce());
        assertTrue(odict.contains("collections.OrderedDict called with 1 arguments"), odict);
        String notCallable = refused(p -> p.str("os.system").emptyTuple().reduce());
        assertTrue(notCallable.contains("REDUCE applied to the string"), notCallable);
        String pid = refused(p -> p.str("anything").binpersid());
        assertTrue(pid.contains("persistent id"), pid);
    }

    @Test
    void objectBuildingOpcodesAreRefusedByName() throws IOException {
        String inst = refused(p -> p.mark().op('i').op("os\nsystem\n".chars().toArray()));
        assertTrue(inst.contains("opcode INST (0x69) is not allowed"), inst);
        String newobj = refused(p -> p.global("collections", "OrderedDict").emptyTuple().op(0x81));
        assertTrue(newobj.contains("NEWOBJ (0x81)"), newobj);
        String ext = refused(p -> p.op(0x82, 1));
        assertTrue(ext.contains("EXT1 (0x82)"), ext);
    }

    @Test
    void unknownOpcodeIsRefused() throws IOException {
        String m = refused(p -> p.op(0xff));
        assertTrue(m.contains("unknown pickle opcode 0xff"), m);
    }

    @Test
    void malformedPicklesAreRefusedNotCrashed() {
        Path f = Path.of("x.ckpt");
        String[] expected = {"without a STOP", "stack underflow", "never stored", "ends inside", "no MARK",
            "unsupported pickle protocol", "wider than 64 bits", "string and number keys"};
        byte[][] pickles = {
            new PickleBytes().proto(2).emptyDict().bytes(),
            new PickleBytes().proto(2).tuple1().stop().bytes(),
            new PickleBytes().proto(2).binget(3).stop().bytes(),
            new PickleBytes().proto(2).op('X', 0xff, 0xff, 0, 0, 'a').stop().bytes(),
            new PickleBytes().proto(2).integer(1).tuple().stop().bytes(),
            new PickleBytes().proto(9).bytes(),
            new PickleBytes().proto(2).op(0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9).stop().bytes(),
            new PickleBytes().proto(2).emptyDict().op(0x5d).integer(1).setitem().stop().bytes(),
        };
        for (int i = 0; i < pickles.length; i++) {
            byte[] data = pickles[i];
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> RestrictedUnpickler.load(f, "data.pkl", data));
            assertTrue(e.getMessage().contains(expected[i]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void plainValuesDecodeAsPickleDefinesThem() {
        byte[] data = new PickleBytes().proto(2).mark().integer(-2).integer(70000).integer(1L << 40)
                .op(0x8a, 2, 0xff, 0x7f).op(0x8a, 1, 0xff).op(0x8a, 0).op('N').op(0x88)
                .str("\u00e9t\u00e9").tuple().stop().bytes();
        PickleTuple t = (PickleTuple) RestrictedUnpickler.load(Path.of("x"), "data.pkl", data);
        assertEquals(java.util.Arrays.asList(-2L, 70000L, 1L << 40, 32767L, -1L, 0L, null, true, "\u00e9t\u00e9"),
                t.items());
    }
}
