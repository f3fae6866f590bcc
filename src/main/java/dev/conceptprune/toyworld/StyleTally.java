package dev.conceptprune.toyworld;

import dev.conceptprune.metrics.Rate;

/**
 * How a set of toy-world images reads against their prompts: of the prompts that ask for the erased style,
 * how many images show it and how many no style at all; of the others, how many keep their own style and how
 * many show a style they did not ask for. The demo's before/after measures and the robustness study's
 * variants count alike through this.
 */
public final class StyleTally {
    private final String style;
    private int targets;
    private int concept;
    private int plainTargets;
    private int styled;
    private int ownStyle;
    private int plain;
    private int falseStyle;

    /** A tally for the erased {@code style} (the detector's label). */
    public StyleTally(String style) {
        this.style = style;
    }

    /** Counts one image: its prompt, whether the prompt asks for the style, and the style detected. */
    public void add(ToyPrompt prompt, boolean target, String detected) {
        boolean none = detected.equals(TextureStyleDetector.NONE);
        if (target) {
            targets++;
            concept += detected.equals(style) ? 1 : 0;
            plainTargets += none ? 1 : 0;
        } else if (prompt.style().equals(TextureStyleDetector.NONE)) {
            plain++;
            falseStyle += none ? 0 : 1;
        } else {
            styled++;
            ownStyle += detected.equals(prompt.style()) ? 1 : 0;
        }
    }

    /** Target prompts whose image shows the style. */
    public Rate concept() {
        return Rate.of(concept, targets);
    }

    /** Target prompts whose image shows no style at all (the neutral outcome). */
    public Rate plainTargets() {
        return Rate.of(plainTargets, targets);
    }

    /** Prompts asking for another style whose image shows it. */
    public Rate ownStyle() {
        return Rate.of(ownStyle, styled);
    }

    /** Prompts asking for no style whose image shows one. */
    public Rate falseStyle() {
        return Rate.of(falseStyle, plain);
    }
}
