package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;

/**
 * How modules form element-wise results. In place into a buffer they own is the fast default
 * (large fresh allocations are what cost here); out of place keeps every tensor that libtorch's
 * autograd saved for the backward pass intact, so it is the mode when gradients are on.
 */
public enum Mutation {
    IN_PLACE,
    OUT_OF_PLACE;

    /** The mode for a runtime with or without gradients. */
    public static Mutation forGradients(boolean gradients) {
        return gradients ? OUT_OF_PLACE : IN_PLACE;
    }

    /** {@code into + other}: into {@code into}'s buffer, or a new array. */
    public NDArray add(NDArray into, NDArray other) {
        return this == IN_PLACE ? into.addi(other) : into.add(other);
    }

    /** {@code into * other}: into {@code into}'s buffer, or a new array. */
    public NDArray mul(NDArray into, NDArray other) {
        return this == IN_PLACE ? into.muli(other) : into.mul(other);
    }

    /** {@code into / divisor}: into {@code into}'s buffer, or a new array. */
    public NDArray div(NDArray into, float divisor) {
        return this == IN_PLACE ? into.divi(divisor) : into.div(divisor);
    }
}
