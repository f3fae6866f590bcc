package dev.conceptprune.toyworld;

/** A toy-world caption and the texture style it asks for ({@link TextureStyleDetector#NONE} if none). */
public record ToyPrompt(String text, String style) {
    private static final String STYLE_OF = " in the style of ";

    /** Reads the style from the caption grammar ({@code ... in the style of Stripes}). */
    public static ToyPrompt of(String caption) {
        int i = caption.lastIndexOf(STYLE_OF);
        return new ToyPrompt(caption, i < 0 ? TextureStyleDetector.NONE : caption.substring(i + STYLE_OF.length()).strip());
    }

    /** The scene the caption asks for, as {@link SceneDetector} labels it (no scene phrase: white). */
    public String scene() {
        if (text.contains(" on grass")) {
            return "grass";
        }
        if (text.contains(" on sand")) {
            return "sand";
        }
        if (text.contains(" in the sky")) {
            return "sky";
        }
        return text.contains(" at night") ? "night" : SceneDetector.WHITE;
    }
}
