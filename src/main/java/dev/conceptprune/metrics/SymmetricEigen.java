package dev.conceptprune.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The eigen-decomposition {@code A = V diag(values) V^T} of a real symmetric matrix, in float64:
 * Householder reduction to tridiagonal form, then the implicit QL iteration with Wilkinson shifts.
 * Both are backward stable, so every eigenvalue is within a few ulps of {@code ||A||} of the exact one
 * and the vectors are orthonormal to rounding. Cost: about {@code 4/3 d^3} multiply-adds for the
 * reduction, as much again for the reduction's orthogonal factor and about {@code 3 d^3} for the
 * vectors' rotations (only the reduction when {@link #values(double[][])} alone is asked for).
 * Only the lower triangle of the input is read.
 */
public final class SymmetricEigen {
    private final double[] values;
    private final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /** The decomposition of the symmetric matrix {@code a} (not modified). */
    public static SymmetricEigen of(double[][] a) {
        int d = checkSquare(a);
        double[][] work = lowerCopy(a, d);
        double[] diagonal = new double[d];
        double[] offDiagonal = new double[d];
        double[][] householder = tridiagonalise(work, diagonal, offDiagonal);
        // Rows of the transposed orthogonal factor: the QL rotations then touch two contiguous rows.
        double[][] columns = transpose(orthogonalFactor(householder, d));
        qlImplicit(diagonal, offDiagonal, columns);
        Integer[] order = IntStream.range(0, d).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> diagonal[i]));
        double[] sorted = new double[d];
        double[][] v = new double[d][d];
        for (int j = 0; j < d; j++) {
            sorted[j] = diagonal[order[j]];
            double[] column = columns[order[j]];
            for (int i = 0; i < d; i++) {
                v[i][j] = column[i];
            }
        }
        return new SymmetricEigen(sorted, v);
    }

    /** The eigenvalues of the symmetric matrix {@code a} alone, ascending (faster than {@link #of}). */
    public static double[] values(double[][] a) {
        int d = checkSquare(a);
        double[] diagonal = new double[d];
        double[] offDiagonal = new double[d];
        tridiagonalise(lowerCopy(a, d), diagonal, offDiagonal);
        qlImplicit(diagonal, offDiagonal, null);
        Arrays.sort(diagonal);
        return diagonal;
    }

    /** The eigenvalues, ascending. */
    public double[] values() {
        return values.clone();
    }

    /** The orthonormal eigenvectors as columns: {@code vectors()[i][j]} is component i of vector j. */
    public double[][] vectors() {
        double[][] copy = new double[vectors.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = vectors[i].clone();
        }
        return copy;
    }

    /** {@code V diag(f(values)) V^T}: the matrix function of {@code A} for a function given on its eigenvalues. */
    public double[][] apply(double[] functionOfValues) {
        int d = values.length;
        if (functionOfValues.length != d) {
            throw new IllegalArgumentException(functionOfValues.length + " function values for " + d + " eigenvalues");
        }
        double[][] scaled = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                scaled[j][i] = vectors[i][j] * functionOfValues[j];
            }
        }
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            double[] vi = vectors[i];
            double[] row = out[i];
            for (int k = 0; k < d; k++) {
                double w = vi[k];
                if (w != 0) {
                    double[] sk = scaled[k];
                    for (int j = 0; j < d; j++) {
                        row[j] += w * sk[j];
                    }
                }
            }
        }
        return out;
    }

    private static int checkSquare(double[][] a) {
        for (double[] row : a) {
            if (row.length != a.length) {
                throw new IllegalArgumentException("not a square matrix: " + a.length + " rows, a row of " + row.length);
            }
        }
        return a.length;
    }

    /** A full symmetric copy built from the lower triangle. */
    private static double[][] lowerCopy(double[][] a, int d) {
        double[][] w = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                w[i][j] = a[i][j];
                w[j][i] = a[i][j];
            }
        }
        return w;
    }

    /**
     * Reduces {@code a} (overwritten) to tridiagonal {@code T = Q^T A Q}. Step k reflects the part of
     * column k below the subdiagonal onto the subdiagonal. Returns the reflectors: row k holds
     * {@code v} (zero up to index k) scaled so that the reflector is {@code I - v v^T}; a zero row
     * means no reflection.
     */
    private static double[][] tridiagonalise(double[][] a, double[] diagonal, double[] offDiagonal) {
        int d = a.length;
        double[][] reflectors = new double[d][];
        double[] p = new double[d];
        for (int k = 0; k + 2 < d; k++) {
            int s = k + 1;
            double scale = 0;
            for (int i = s; i < d; i++) {
                scale = Math.max(scale, Math.abs(a[i][k]));
            }
            double[] v = new double[d];
            reflectors[k] = v;
            double norm2 = 0;
            for (int i = s; i < d; i++) {
                v[i] = scale == 0 ? 0 : a[i][k] / scale;
                norm2 += v[i] * v[i];
            }
            if (norm2 == 0) {
                offDiagonal[k] = 0;
                continue;
            }
            // alpha takes the sign opposite to x_0, so that v_0 = x_0 - alpha never cancels.
            double alpha = v[s] > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
            offDiagonal[k] = alpha * scale;
            v[s] -= alpha;
            // H = I - v v^T / h with h = |v|^2 / 2 = norm2 - alpha x_0; fold 1/sqrt(h) into v.
            double h = norm2 - alpha * (v[s] + alpha);
            double root = Math.sqrt(h);
            for (int i = s; i < d; i++) {
                v[i] /= root;
            }
            // A' = H A H on the trailing block: p = A v, w = p - (v.p / 2) v, A' = A - v w^T - w v^T.
            double vp = 0;
            for (int i = s; i < d; i++) {
                double[] ai = a[i];
                double sum = 0;
                for (int j = s; j < d; j++) {
                    sum += ai[j] * v[j];
                }
                p[i] = sum;
                vp += v[i] * sum;
            }
            double half = vp / 2;
            for (int i = s; i < d; i++) {
                p[i] -= half * v[i];
            }
            for (int i = s; i < d; i++) {
                double[] ai = a[i];
                double vi = v[i];
                double wi = p[i];
                for (int j = s; j < d; j++) {
                    ai[j] -= vi * p[j] + wi * v[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            diagonal[i] = a[i][i];
        }
        if (d >= 2) {
            offDiagonal[d - 2] = a[d - 1][d - 2];
        }
        return reflectors;
    }

    /** {@code Q = H_0 H_1 ... H_{d-3}}, accumulated from the last reflector back over the block it touches. */
    private static double[][] orthogonalFactor(double[][] reflectors, int d) {
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            q[i][i] = 1;
        }
        double[] u = new double[d];
        for (int k = d - 3; k >= 0; k--) {
            double[] v = reflectors[k];
            int s = k + 1;
            Arrays.fill(u, 0);
            for (int i = s; i < d; i++) {
                double vi = v[i];
                if (vi != 0) {
                    double[] qi = q[i];
                    for (int j = s; j < d; j++) {
                        u[j] += vi * qi[j];
                    }
                }
            }
            for (int i = s; i < d; i++) {
                double vi = v[i];
                if (vi != 0) {
                    double[] qi = q[i];
                    for (int j = s; j < d; j++) {
                        qi[j] -= vi * u[j];
                    }
                }
            }
        }
        return q;
    }

    /**
     * Diagonalises the symmetric tridiagonal matrix ({@code diagonal}, {@code offDiagonal[i]} coupling
     * i and i + 1) in place by implicit QL sweeps with a Wilkinson shift; the eigenvalues are left in
     * {@code diagonal}. When {@code columns} is given, its rows (the orthogonal factor's columns) are
     * rotated alongside and end as the eigenvectors.
     */
    private static void qlImplicit(double[] diagonal, double[] offDiagonal, double[][] columns) {
        int d = diagonal.length;
        double[] e = offDiagonal;
        for (int l = 0; l < d; l++) {
            int iterations = 0;
            while (true) {
                int m = l;
                while (m < d - 1) {
                    double dd = Math.abs(diagonal[m]) + Math.abs(diagonal[m + 1]);
                    if (Math.abs(e[m]) + dd == dd) {
                        break;
                    }
                    m++;
                }
                if (m == l) {
                    break;
                }
                if (++iterations > 60) {
                    throw new ArithmeticException("QL iteration did not converge at eigenvalue " + l);
                }
                double g = (diagonal[l + 1] - diagonal[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = diagonal[m] - diagonal[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1;
                double c = 1;
                double p = 0;
                int i = m - 1;
                boolean deflated = false;
                for (; i >= l; i--) {
                    double f = s * e[i];
                    double b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        // An underflowed rotation splits the matrix: restart the sweep above it.
                        diagonal[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = diagonal[i + 1] - p;
                    r = (diagonal[i] - g) * s + 2 * c * b;
                    p = s * r;
                    diagonal[i + 1] = g + p;
                    g = c * r - b;
                    if (columns != null) {
                        rotate(columns[i], columns[i + 1], c, s);
                    }
                }
                if (deflated) {
                    continue;
                }
                diagonal[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    /** Rotates the pair of vectors (x, y) to (c x - s y, s x + c y). */
    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int k = 0; k < x.length; k++) {
            double xk = x[k];
            double yk = y[k];
            x[k] = c * xk - s * yk;
            y[k] = s * xk + c * yk;
        }
    }

    private static double[][] transpose(double[][] m) {
        int d = m.length;
        double[][] t = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }
}
