package dev.conceptprune.model;

/** The roles of a text-to-image model's components, with the folder names diffusers gives them. */
public enum Component {
    UNET("unet"),
    VAE("vae"),
    TEXT_ENCODER("text_encoder"),
    /** SDXL's second text encoder. */
    TEXT_ENCODER_2("text_encoder_2"),
    TOKENIZER("tokenizer"),
    /** SDXL's second tokenizer. */
    TOKENIZER_2("tokenizer_2"),
    SCHEDULER("scheduler");

    private final String folderName;

    Component(String folderName) {
        this.folderName = folderName;
    }

    /** The component's name in a diffusers folder and its {@code model_index.json}, e.g. {@code text_encoder}. */
    public String folderName() {
        return folderName;
    }

    @Override
    public String toString() {
        return folderName;
    }
}
