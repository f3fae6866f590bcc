package dev.conceptprune.bench;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.nn.Params;
import dev.conceptprune.ort.OrtUNet;
import dev.conceptprune.unet.UNetConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Times a peer engine's UNet right after ours, on the same weights (read again under the same
 * names) and the same inputs, with the same warm-up and timed calls, and checks that it computes
 * the same noise prediction.
 */
final class PeerBench {
    private static final int PEER_WEIGHT_COPIES = 3;

    private PeerBench() {
    }

    /**
     * The peer's calls; its profile covers the timed ones.
     *
     * @param weights the UNet's root weight view, float32
     * @param ours our UNet's output for the same inputs, to compare with
     */
    static PeerTimes time(UNetPeer peer, UNetConfig cfg, Params weights, long[] sampleShape, float[] sample,
                          long textLength, float[] text, float timestep, float[] ours, long flopsPerCall, int warmup,
                          int calls, int threads, PrintStream progress) {
        Path profile = tempFolder();
        try {
            log(progress, "bench: building the %s peer (ONNX Runtime %s)...", peer.id(), OrtUNet.version());
            try (OrtUNet unet = OrtUNet.build(cfg, weights, sampleShape, textLength, threads, peer.fusedAttention(),
                    profile)) {
                for (int i = 0; i < warmup; i++) {
                    long start = System.nanoTime();
                    unet.forward(sample, timestep, text);
                    log(progress, "unet (%s): warm-up %d/%d %.1f ms", peer.id(), i + 1, warmup,
                            (System.nanoTime() - start) / 1e6);
                }
                double[] millis = new double[calls];
                float[] out = null;
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    out = unet.forward(sample, timestep, text);
                    millis[i] = (System.nanoTime() - start) / 1e6;
                    log(progress, "unet (%s): call %d/%d %.1f ms", peer.id(), i + 1, calls, millis[i]);
                }
                Map<String, Double> ops = unet.operatorMillis(calls);
                String engine = "ONNX Runtime " + OrtUNet.version() + ", CPU, "
                        + (peer.fusedAttention() ? "fused MultiHeadAttention" : "MatMul attention");
                return new PeerTimes(peer.id(), engine, millis, flopsPerCall, maxAbsDiff(ours, out), ops);
            }
        } finally {
            AtomicFiles.removeTree(profile);
        }
    }

    /**
     * Refuses a peer that would not fit beside our loaded networks: measured on SD 1.5 at 512x512
     * batch 2, ONNX Runtime added 12.5 GB to our 4.4 GB, about three times the UNet's float32
     * weights (the weights handed over, its pre-packed matrices, the graph's planned buffers) plus
     * a UNet call's activations.
     *
     * @param parameters weights of the networks built (the UNet's, and any others timed)
     * @param activationBytes one UNet call's working memory
     * @param available memory available now, bytes; negative when unknown
     */
    static void requireMemory(UNetPeer peer, long parameters, double activationBytes, long available) {
        double needed = PEER_WEIGHT_COPIES * Float.BYTES * (double) parameters + activationBytes;
        if (available >= 0 && needed > available) {
            throw new InputException(String.format(Locale.ROOT, "--peer %s needs about %.1f GB beside our networks "
                    + "(%d float32 weights, three times, and a UNet call's activations); %.1f GB are available",
                    peer.id(), needed / 1e9, parameters, available / 1e9));
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("the peer's output has " + b.length + " values, ours " + a.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private static Path tempFolder() {
        try {
            return Files.createTempDirectory("conceptprune-peer-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not make a folder for the peer's profile", e);
        }
    }

    private static void log(PrintStream progress, String format, Object... args) {
        if (progress != null) {
            progress.printf(format + "%n", args);
        }
    }
}
