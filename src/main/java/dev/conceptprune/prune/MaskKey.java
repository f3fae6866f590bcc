package dev.conceptprune.prune;

import dev.conceptprune.model.Component;
import java.util.List;

/**
 * How a mask names the weight it prunes: a UNet parameter by its diffusers name, a text encoder's
 * with its folder name as a prefix ({@code text_encoder/...}, SDXL's {@code text_encoder_2/...}), so
 * one mask can address every component and both layouts' writers resolve it alike.
 */
public final class MaskKey {
    private static final List<Component> PREFIXED = List.of(Component.TEXT_ENCODER_2, Component.TEXT_ENCODER);

    private MaskKey() {
    }

    /** The mask name of {@code parameter} of {@code component}. */
    public static String of(Component component, String parameter) {
        return component == Component.UNET ? parameter : component.folderName() + "/" + parameter;
    }

    /** The component a mask name addresses. */
    public static Component component(String key) {
        for (Component c : PREFIXED) {
            if (key.startsWith(c.folderName() + "/")) {
                return c;
            }
        }
        return Component.UNET;
    }

    /** The parameter name inside its component. */
    public static String parameter(String key) {
        Component c = component(key);
        return c == Component.UNET ? key : key.substring(c.folderName().length() + 1);
    }
}
