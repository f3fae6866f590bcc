package dev.conceptprune.runtime;

import dev.conceptprune.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared object that lets libtorch's MKL run its Intel kernels on AMD CPUs. MKL (linked into
 * libtorch_cpu, where it computes every float32 {@code linear} and the products inside the fused
 * attention) asks {@code mkl_serv_intel_cpu_true()} whether the CPU says GenuineIntel and, where it does
 * not, takes slower generic kernels: on the project's AMD machine SD 1.5's linear layers ran at 156
 * instead of 197 GFLOP/s (docs/ARCHITECTURE.md, "Speed"). Preloaded ({@code LD_PRELOAD}, as the launcher
 * and the test build do on Linux x86-64), this object's definition of that function, which answers yes,
 * is the one libtorch binds; MKL then picks among its Intel kernels by the CPU's instruction-set flags,
 * as it does on Intel CPUs, where the answer is yes anyway.
 *
 * <p>The object is written here, byte by byte, rather than compiled: an ELF64 x86-64 shared object
 * with a SysV hash table, a dynamic symbol table, a read-only executable segment holding
 * {@code mov eax, 1; ret}, a writable segment holding the dynamic section (the loader relocates its
 * entries in place) and a non-executable stack.
 */
public final class MklIntelPath {
    /** The file name the launcher preloads; {@link #active()} looks for it among the process's mappings. */
    public static final String FILE_NAME = "libconceptprune-mkl-intel-path.so";

    private static final String SYMBOL = "mkl_serv_intel_cpu_true";
    private static final byte[] CODE = {(byte) 0xB8, 1, 0, 0, 0, (byte) 0xC3};
    private static final int PAGE = 0x1000;
    private static final int ELF_HEADER = 64;
    private static final int PROGRAM_HEADER = 56;
    private static final int PROGRAM_HEADERS = 4;
    private static final int SYMBOL_SIZE = 24;
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_GNU_STACK = 0x6474e551;
    private static final int PF_X = 1;
    private static final int PF_W = 2;
    private static final int PF_R = 4;
    private static final long DT_NULL = 0;
    private static final long DT_HASH = 4;
    private static final long DT_STRTAB = 5;
    private static final long DT_SYMTAB = 6;
    private static final long DT_STRSZ = 10;
    private static final long DT_SYMENT = 11;
    private static final long DT_SONAME = 14;
    private static final Path MAPS = Path.of("/proc/self/maps");

    private MklIntelPath() {
    }

    /** Writes the shared object to the path in {@code args[0]} (atomically); the build and the launcher call it. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: MklIntelPath FILE");
            System.exit(2);
        }
        write(Path.of(args[0]));
    }

    /** Writes the shared object to {@code target}, whole or not at all. */
    public static void write(Path target) {
        byte[] bytes = sharedObject();
        AtomicFiles.write(target, out -> out.write(bytes));
    }

    /** True when this process has the shared object mapped, i.e. it was preloaded and MKL binds its answer. */
    public static boolean active() {
        try {
            return Files.readString(MAPS).contains("/" + FILE_NAME);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * How this process's MKL chooses its kernels: {@code intel} when the shared object is preloaded
     * ({@link #active()}), {@code vendor} when MKL goes by the CPU's vendor (the launcher run with
     * {@code CONCEPTPRUNE_MKL=vendor}, or java run directly).
     */
    public static String kernelChoice() {
        return active() ? "intel" : "vendor";
    }

    /** The shared object's bytes. */
    static byte[] sharedObject() {
        byte[] strings = ("\0" + SYMBOL + "\0" + FILE_NAME + "\0").getBytes(StandardCharsets.US_ASCII);
        int symbolName = 1;
        int soname = 1 + SYMBOL.length() + 1;
        int hash = ELF_HEADER + PROGRAM_HEADERS * PROGRAM_HEADER;
        int symtab = align(hash + 5 * Integer.BYTES, 8);
        int strtab = symtab + 2 * SYMBOL_SIZE;
        int code = align(strtab + strings.length, 16);
        int textEnd = code + CODE.length;
        int dynamic = PAGE;
        int dynamicSize = 7 * 2 * Long.BYTES;

        ByteBuffer b = ByteBuffer.allocate(dynamic + dynamicSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0);
        b.putShort((short) 3).putShort((short) 62).putInt(1);
        b.putLong(0).putLong(ELF_HEADER).putLong(0);
        b.putInt(0).putShort((short) ELF_HEADER).putShort((short) PROGRAM_HEADER).putShort((short) PROGRAM_HEADERS);
        b.putShort((short) 64).putShort((short) 0).putShort((short) 0);

        segment(b, PT_LOAD, PF_R | PF_X, 0, textEnd, PAGE);
        segment(b, PT_LOAD, PF_R | PF_W, dynamic, dynamicSize, PAGE);
        segment(b, PT_DYNAMIC, PF_R | PF_W, dynamic, dynamicSize, 8);
        segment(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 16);

        // One bucket; symbol 1 is its only entry and ends the chain.
        b.position(hash);
        b.putInt(1).putInt(2).putInt(1).putInt(0).putInt(0);

        b.position(symtab + SYMBOL_SIZE);
        b.putInt(symbolName).put((byte) 0x12).put((byte) 0).putShort((short) 1).putLong(code).putLong(CODE.length);
        b.position(strtab);
        b.put(strings);
        b.position(code);
        b.put(CODE);

        b.position(dynamic);
        long[][] entries = {{DT_HASH, hash}, {DT_STRTAB, strtab}, {DT_SYMTAB, symtab}, {DT_STRSZ, strings.length},
                {DT_SYMENT, SYMBOL_SIZE}, {DT_SONAME, soname}, {DT_NULL, 0}};
        for (long[] e : entries) {
            b.putLong(e[0]).putLong(e[1]);
        }
        return b.array();
    }

    /** A program header whose file offset equals its virtual address. */
    private static void segment(ByteBuffer b, int type, int flags, long at, long size, long alignment) {
        b.putInt(type).putInt(flags).putLong(at).putLong(at).putLong(at).putLong(size).putLong(size).putLong(alignment);
    }

    private static int align(int at, int to) {
        return (at + to - 1) / to * to;
    }
}
