package dev.conceptprune.scheduler;

/** diffusers' timestep spacings (numpy arithmetic in float64, rounded half to even). */
final class Timesteps {
    private Timesteps() {
    }

    /**
     * Descending integer timesteps for {@code n} steps over {@code train} train steps, as DDIM and
     * PNDM space them ({@code leading} adds {@code offset}).
     */
    static int[] spaced(String spacing, int n, int train, int offset) {
        int[] t = new int[n];
        switch (spacing) {
            case "leading" -> {
                int ratio = train / n;
                for (int i = 0; i < n; i++) {
                    t[i] = (n - 1 - i) * ratio + offset;
                }
            }
            case "linspace" -> {
                double[] l = linspace(0, train - 1, n);
                for (int i = 0; i < n; i++) {
                    t[i] = (int) Math.rint(l[n - 1 - i]);
                }
            }
            default -> {
                double ratio = (double) train / n;
                for (int i = 0; i < n; i++) {
                    t[i] = (int) Math.rint(train - i * ratio) - 1;
                }
            }
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
            out[i] = start + i * step;
        }
        out[num - 1] = stop;
        return out;
    }

    static void requirePositive(int steps, int train) {
        if (steps <= 0) {
            throw new IllegalArgumentException("number of inference steps must be > 0, got " + steps);
        }
        if (steps > train) {
            throw new IllegalArgumentException("number of inference steps " + steps + " exceeds the "
                    + train + " train timesteps");
        }
    }
}
