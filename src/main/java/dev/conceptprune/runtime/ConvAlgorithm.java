package dev.conceptprune.runtime;

import java.util.Locale;

/**
 * How float32 3x3 convolutions compute on the CPU, where the shape pays for Winograd's minimal filtering
 * ({@code nn.WinogradConv}): {@link #WINOGRAD} by F(2x2, 3x3), at the direct convolution's rounding error (the
 * default); {@link #WINOGRAD4} by F(4x4, 3x3) on the larger images (32x32 and up), faster and 4-17x less
 * exact; {@link #DIRECT} always as libtorch's convolution. A process setting, like the thread count:
 * {@link Runtime#convAlgorithm()}.
 */
public enum ConvAlgorithm {
    WINOGRAD, WINOGRAD4, DIRECT;

    /** What a process computes with unless {@code --conv} says otherwise; content keys name only the others. */
    public static final ConvAlgorithm DEFAULT = WINOGRAD;

    /** True for {@link #DEFAULT}. */
    public boolean isDefault() {
        return this == DEFAULT;
    }

    /** The command-line name: winograd, winograd4 or direct. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The algorithm named {@code id}.
     *
     * @throws IllegalArgumentException naming the choices when there is none of that name
     */
    public static ConvAlgorithm of(String id) {
        for (ConvAlgorithm a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("must be winograd, winograd4 or direct, got '" + id + "'");
    }
}
