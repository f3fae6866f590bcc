package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.conceptprune.runtime.Runtime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript archive of one parameterless module, written from its source text: the zip
 * libtorch's {@code torch::jit::load} reads, holding the class source under {@code code/},
 * the pickled module object (an instance of the class in eval mode) and an empty constants
 * table. Entries are stored uncompressed, as PyTorch writes them.
 */
public final class TorchScriptArchive {
    /** Pickle protocol 2 opcodes used by the two tiny pickles. */
    private static final int PROTO = 0x80;
    private static final int GLOBAL = 'c';
    private static final int EMPTY_TUPLE = ')';
    private static final int NEWOBJ = 0x81;
    private static final int EMPTY_DICT = '}';
    private static final int MARK = '(';
    private static final int BINUNICODE = 'X';
    private static final int NEWFALSE = 0x89;
    private static final int SETITEMS = 'u';
    private static final int BUILD = 'b';
    private static final int STOP = '.';
    /** DJL's input-name prefix that selects the module method to run. */
    private static final String METHOD_PREFIX = "module_method:";

    private TorchScriptArchive() {
    }

    /**
     * Compiles module class {@code className} with {@code methods} (see {@link #of}) into a module that
     * lives as long as the process. It holds code and no tensors, so one on the host serves every device.
     *
     * @throws IllegalStateException naming {@code what} when libtorch cannot compile it
     */
    public static PtSymbolBlock load(String className, String methods, String what) {
        byte[] archive = of(className, methods);
        try {
            return JniUtils.loadModule((PtNDManager) Runtime.newHostManager(), new ByteArrayInputStream(archive),
                    false, false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("libtorch could not compile the " + what + " module: "
                    + e.getMessage().strip().lines().findFirst().orElse(e.toString()), e);
        }
    }

    /**
     * Runs {@code method} of a loaded module on {@code in} (closed afterwards) without autograd and returns
     * its tensor in {@code manager}.
     */
    public static NDArray run(PtSymbolBlock module, String method, NDManager manager, IValue... in) {
        try (IValue out = "forward".equals(method) ? module.forward(in) : IValueUtils.runMethod(module, method, in)) {
            return out.toTensor((PtNDManager) manager);
        } finally {
            for (IValue i : in) {
                i.close();
            }
        }
    }

    /**
     * Runs {@code method} of a loaded module on {@code args} through DJL's NDList call, in libtorch's normal
     * mode: gradients are recorded as the calling thread has it, and the result may be updated in place.
     * DJL's IValue calls ({@link #run}) run in inference mode, whose results refuse the in-place updates the
     * modules make into them (residual adds, SiLU). Numbers travel as 0-d tensors.
     */
    public static NDArray call(PtSymbolBlock module, String method, NDArray... args) {
        NDManager m = args[0].getManager();
        // DJL takes the method name from an input so named and passes that input on to no one.
        try (NDArray name = m.create(0f)) {
            name.setName(METHOD_PREFIX + method);
            NDList in = new NDList(args.length + 1);
            in.add(name);
            in.addAll(Arrays.asList(args));
            return IValueUtils.forward(module, in, true).singletonOrThrow();
        }
    }

    /**
     * The archive bytes of module class {@code className}: a parameterless module whose typed methods,
     * indented two spaces, are the TorchScript source {@code methods}.
     */
    static byte[] of(String className, String methods) {
        String source = "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + methods;
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            String root = "module/";
            stored(z, root + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(z, root + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(z, root + "data.pkl", moduleObject(className));
            stored(z, root + "constants.pkl", new byte[] {(byte) PROTO, 2, EMPTY_TUPLE, STOP});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zip.toByteArray();
    }

    /** {@code __torch__.<className>()} with its one attribute {@code training = False}. */
    private static byte[] moduleObject(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(PROTO);
        p.write(2);
        p.write(GLOBAL);
        p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        p.write(EMPTY_TUPLE);
        p.write(NEWOBJ);
        p.write(EMPTY_DICT);
        p.write(MARK);
        byte[] name = "training".getBytes(StandardCharsets.US_ASCII);
        p.write(BINUNICODE);
        p.write(name.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(name);
        p.write(NEWFALSE);
        p.write(SETITEMS);
        p.write(BUILD);
        p.write(STOP);
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}
