package dev.conceptprune.bench;

import java.util.List;

/**
 * The timed components of one benchmark.
 *
 * @param model what was built, as {@link BenchModels#description()}
 * @param calls one entry per timed component, in {@link ComponentBench#COMPONENTS} order
 */
public record ComponentResults(String model, int height, int width, int batch, List<CallTimes> calls) {
    public ComponentResults {
        calls = List.copyOf(calls);
    }
}
