package dev.conceptprune.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.conceptprune.nn.TorchScriptArchive;
import dev.conceptprune.runtime.Runtime;

/**
 * Low-rank matrix completion by iterative soft-thresholded SVD (SoftImpute), as "Roots Beneath the
 * Cut" runs it: the missing entries start at their column's mean of observed entries; each iteration
 * takes the full thin SVD of the filled matrix, shrinks every singular value by the smallest one,
 * reconstructs, and puts the observed entries back. It stops when the relative change falls below a
 * tolerance or after an iteration cap. Float64 throughout, in libtorch ({@code torch.linalg.svd}),
 * which DJL's NDArray API does not expose: a small TorchScript module compiled once per process.
 */
public final class SoftImpute {
    private static final String CLASS_NAME = "SoftImpute";
    private static final String METHODS = "  def forward(self: __torch__." + CLASS_NAME
            + ", known: Tensor, observed: Tensor) -> Tensor:\n"
            + "    counts = observed.sum(0).clamp(min=1)\n"
            + "    means = known.masked_fill(torch.logical_not(observed), 0.).sum(0) / counts\n"
            + "    return torch.where(observed, known, means.unsqueeze(0).expand_as(known))\n"
            + "  def step(self: __torch__." + CLASS_NAME
            + ", x: Tensor, observed: Tensor, known: Tensor) -> Tensor:\n"
            + "    u, s, vh = torch.linalg_svd(x, False)\n"
            + "    shrunk = (s - s[-1]).clamp(min=0.)\n"
            + "    return torch.where(observed, known, torch.matmul(u * shrunk.unsqueeze(0), vh))\n"
            + "  def change(self: __torch__." + CLASS_NAME
            + ", x: Tensor, reference: Tensor) -> float:\n"
            + "    return float(torch.linalg_norm(x - reference) / (torch.linalg_norm(reference) + 1e-12))\n";

    private SoftImpute() {
    }

    /** Told after every iteration: its number (from 1) and the relative change it measured (infinite at first). */
    @FunctionalInterface
    public interface Listener {
        void iteration(int iteration, double change);
    }

    /**
     * A completed matrix.
     *
     * @param values     row-major, the observed entries as given
     * @param iterations the iterations run
     * @param converged  whether the change fell below the tolerance (else the cap was reached)
     */
    public record Result(double[] values, int iterations, boolean converged) {
    }

    /**
     * Completes the {@code rows x cols} row-major {@code matrix} whose entries with {@code observed} false
     * are missing (their values are ignored). A column with no observed entry starts at 0 (their NaN mean
     * would make every later iteration NaN).
     *
     * @param maxIterations at least 1
     * @param tolerance     the relative change, in the Frobenius norm, below which the iteration stops
     */
    public static Result complete(double[] matrix, boolean[] observed, int rows, int cols, int maxIterations,
                                  double tolerance, Listener listener) {
        if (matrix.length != (long) rows * cols || observed.length != matrix.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " entries and observations, got " + matrix.length + " and " + observed.length);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, got " + maxIterations);
        }
        PtSymbolBlock module = Loaded.MODULE;
        try (NDManager m = Runtime.newHostManager()) {
            Shape shape = new Shape(rows, cols);
            NDArray known = m.create(matrix, shape);
            NDArray mask = m.create(observed, shape);
            NDArray x = call(module, "forward", known, mask);
            // Their convergence test compares an iteration's output with the input of the iteration
            // before (two steps back), not with its own input: kept, as it decides where the run stops.
            NDArray twoBack = null;
            for (int it = 1; it <= maxIterations; it++) {
                NDArray next = call(module, "step", x, mask, known);
                double change = twoBack == null ? Double.POSITIVE_INFINITY : change(module, next, twoBack);
                listener.iteration(it, change);
                if (twoBack != null) {
                    twoBack.close();
                }
                twoBack = x;
                x = next;
                if (change < tolerance) {
                    return new Result(x.toDoubleArray(), it, true);
                }
            }
            return new Result(x.toDoubleArray(), maxIterations, false);
        }
    }

    private static NDArray call(PtSymbolBlock module, String method, NDArray... args) {
        IValue[] in = new IValue[args.length];
        for (int i = 0; i < args.length; i++) {
            in[i] = IValue.from((PtNDArray) args[i]);
        }
        return TorchScriptArchive.run(module, method, args[0].getManager(), in);
    }

    private static double change(PtSymbolBlock module, NDArray x, NDArray reference) {
        IValue[] in = {IValue.from((PtNDArray) x), IValue.from((PtNDArray) reference)};
        try (IValue out = IValueUtils.runMethod(module, "change", in)) {
            return out.toDouble();
        } finally {
            for (IValue i : in) {
                i.close();
            }
        }
    }

    /** Holder: the module is compiled on first use and lives as long as the process. */
    private static final class Loaded {
        static final PtSymbolBlock MODULE = TorchScriptArchive.load(CLASS_NAME, METHODS, "matrix completion");
    }
}
