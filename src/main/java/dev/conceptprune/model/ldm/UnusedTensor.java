package dev.conceptprune.model.ldm;

/**
 * A stored tensor no diffusers parameter comes from.
 *
 * @param reason why it is not used, e.g. "EMA weights (not selected)"; {@link #NOT_RECOGNISED}
 *               for a name the converter has no rule for
 */
public record UnusedTensor(String storedName, String reason) {
    /** The reason given to tensors that no rule explains. */
    public static final String NOT_RECOGNISED = "not recognised";

    /** True when the converter knows what the tensor is. */
    public boolean explained() {
        return !reason.equals(NOT_RECOGNISED);
    }
}
