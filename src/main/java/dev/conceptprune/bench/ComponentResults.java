package dev.conceptprune.bench;

import java.util.List;

/**
 * The timed components of one benchmark.
 *
 * @param model what was built, as {@link BenchModels#description()}
 * @param dtype the compute dtype of the matrix products ({@code float32}, {@code bf16} or {@code fp16})
 * @param device where they ran ({@code cpu}, {@code cuda:N})
 * @param calls one entry per timed component, in {@link ComponentBench#COMPONENTS} order
 * @param peer a peer engine's UNet timed beside ours, or null
 */
public record ComponentResults(String model, int height, int width, int batch, String dtype, String device,
                               List<CallTimes> calls, PeerTimes peer) {
    public ComponentResults {
        calls = List.copyOf(calls);
    }
}
