package dev.conceptprune.metrics;

import dev.conceptprune.io.InputException;

/** Shape checks shared by the distribution metrics: two sets of equally long feature rows. */
final class FeatureRows {
    private FeatureRows() {
    }

    /** The common row length of {@code a} and {@code b}, each with at least two rows. */
    static int dimension(String metric, double[][] a, double[][] b) {
        int d = dimension(metric, "first feature set", a);
        int e = dimension(metric, "second feature set", b);
        if (d != e) {
            throw new InputException(metric + ": the feature sets differ in dimension (" + d + " and " + e + ")");
        }
        return d;
    }

    /** The row length of one set ({@code which} names it) of at least two rows, all as long as the first and finite. */
    static int dimension(String metric, String which, double[][] rows) {
        if (rows.length < 2) {
            throw new InputException(metric + ": the " + which + " has " + rows.length
                    + " rows; at least 2 are needed");
        }
        int d = rows[0].length;
        if (d == 0) {
            throw new InputException(metric + ": the " + which + " has empty rows");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new InputException(metric + ": row " + i + " of the " + which + " has "
                        + rows[i].length + " values, row 0 has " + d);
            }
            for (double v : rows[i]) {
                if (!Double.isFinite(v)) {
                    throw new InputException(metric + ": row " + i + " of the " + which
                            + " holds a non-finite value (" + v + ")");
                }
            }
        }
        return d;
    }
}
