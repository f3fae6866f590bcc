package dev.conceptprune.scheduler;

/** diffusers' timestep spacings, reproducing numpy's float64 arithmetic and round-half-to-even. */
final class Timesteps {
    private Timesteps() {
    }

    /**
     * Descending integer timesteps for {@code n} steps over {@code train} train steps, as DDIM, PNDM
     * and Euler space them ({@code leading} adds {@code offset}, {@code trailing} ends at ratio - 1).
     */
    static int[] spaced(String spacing, int n, int train, int offset) {
        return switch (spacing) {
            case "leading" -> leading(n, train / n, offset);
            case "linspace" -> {
                double[] l = linspace(0, train - 1, n);
                int[] t = new int[n];
                for (int i = 0; i < n; i++) {
                    t[i] = (int) Math.rint(l[n - 1 - i]);
                }
                yield t;
            }
            default -> trailing(train, (double) train / n, n);
        };
    }

    /** {@code arange(points) * ratio + offset}, descending. */
    static int[] leading(int points, int ratio, int offset) {
        int[] t = new int[points];
        for (int i = 0; i < points; i++) {
            t[i] = (points - 1 - i) * ratio + offset;
        }
        return t;
    }

    /**
     * {@code round(arange(start, 0, -ratio)) - 1}. numpy's arange has ceil(start / ratio) elements
     * and fills element i as start + i * delta with delta = (start - ratio) - start, which rounds
     * some halves differently from start - i * ratio (N = 48: 936, not 937). For some N (61, 103,
     * ...) the count is one too many and the extra element rounds to timestep -1, which diffusers
     * would index as the last train step; such step counts are refused.
     */
    static int[] trailing(int start, double ratio, int requestedSteps) {
        double second = start - ratio;
        double delta = second - start;
        int count = (int) Math.ceil(start / ratio);
        int[] t = new int[count];
        for (int i = 0; i < count; i++) {
            double v = i == 0 ? start : i == 1 ? second : start + i * delta;
            t[i] = (int) Math.rint(v) - 1;
        }
        if (count > 0 && t[count - 1] < 0) {
            throw new IllegalArgumentException("timestep_spacing 'trailing' with " + requestedSteps
                    + " steps: diffusers' numpy arange yields an extra timestep -1 here (a float rounding"
                    + " artefact); choose another number of steps");
        }
        return t;
    }

    /** numpy.linspace in float64. */
    static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        if (num == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    static void requireValidSteps(int steps, int train) {
        if (steps <= 0) {
            throw new IllegalArgumentException("number of inference steps must be > 0, got " + steps);
        }
        if (steps > train) {
            throw new IllegalArgumentException("number of inference steps " + steps + " exceeds the "
                    + train + " train timesteps");
        }
    }

    /** Timesteps outside the training range (e.g. from steps_offset) would index past alphas_cumprod. */
    static int[] requireInRange(int[] t, int train, SchedulerConfig c) {
        for (int v : t) {
            if (v < 0 || v >= train) {
                throw c.error(c.className() + ": timestep " + v + " from timestep_spacing '" + c.timestepSpacing()
                        + "' and steps_offset " + c.stepsOffset() + " lies outside [0, " + train + ")");
            }
        }
        return t;
    }

    static float[] toFloats(int[] t) {
        float[] f = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            f[i] = t[i];
        }
        return f;
    }
}
