package dev.conceptprune.model.ldm;

/** The three model parts a single-file SD 1.x/2.x checkpoint holds, named by their diffusers folders. */
public enum LdmComponent {
    UNET("unet"),
    VAE("vae"),
    TEXT_ENCODER("text_encoder");

    private final String folder;

    LdmComponent(String folder) {
        this.folder = folder;
    }

    /** The component's sub-folder name in a diffusers model folder. */
    public String folder() {
        return folder;
    }
}
