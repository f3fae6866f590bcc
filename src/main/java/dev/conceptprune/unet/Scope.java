package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A block's working memory. DJL puts an op's result in the manager of its first operand, so the
 * inputs a block computes from are lent to a fresh sub-manager; everything the block creates
 * then dies with it, except the result it {@link #keep}s, which goes to the first input's manager.
 */
final class Scope implements AutoCloseable {
    private final NDManager owner;
    private final NDManager manager;

    private Scope(NDManager owner) {
        this.owner = owner;
        this.manager = owner.newSubManager();
    }

    /** Opens a scope under {@code first}'s manager and lends it the given inputs (nulls ignored). */
    static Scope of(NDArray first, NDArray... more) {
        Scope s = new Scope(first.getManager());
        first.tempAttach(s.manager);
        for (NDArray a : more) {
            if (a != null && a != first) {
                a.tempAttach(s.manager);
            }
        }
        return s;
    }

    NDManager manager() {
        return manager;
    }

    /** Hands an array over to this scope for good: it is freed when the scope closes. */
    void consume(NDArray a) {
        a.attach(manager);
    }

    /** Moves the block's result out to the first input's manager. */
    NDArray keep(NDArray result) {
        result.attach(owner);
        return result;
    }

    @Override
    public void close() {
        manager.close();
    }
}
