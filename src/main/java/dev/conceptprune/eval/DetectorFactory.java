package dev.conceptprune.eval;

import java.io.Serializable;

/**
 * How to make a {@link Detector}: a recipe small enough to travel to another JVM (a Spark executor),
 * where each worker opens its own detector. The caller closes what {@link #open} returns.
 */
@FunctionalInterface
public interface DetectorFactory extends Serializable {
    /** A new detector; one that loads a model may defer the load to its first detection. */
    Detector open();
}
