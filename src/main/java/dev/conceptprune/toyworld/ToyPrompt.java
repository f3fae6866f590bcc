package dev.conceptprune.toyworld;

/** A toy-world caption and the texture style it asks for ({@link TextureStyleDetector#NONE} if none). */
public record ToyPrompt(String text, String style) {
    private static final String STYLE_OF = " in the style of ";

    /** Reads the style from the caption grammar ({@code ... in the style of Stripes}). */
    public static ToyPrompt of(String caption) {
        int i = caption.lastIndexOf(STYLE_OF);
        return new ToyPrompt(caption, i < 0 ? TextureStyleDetector.NONE : caption.substring(i + STYLE_OF.length()).strip());
    }
}
