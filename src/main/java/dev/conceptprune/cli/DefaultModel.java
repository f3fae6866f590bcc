package dev.conceptprune.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the embedded toy-world model lives: {@code models/toyworld/model} of the checkout the
 * jar was built in (the jar sits in {@code target/}), or under {@code CONCEPTPRUNE_HOME}.
 */
final class DefaultModel {
    private DefaultModel() {
    }

    /** Root of the checkout (holds {@code models/}). */
    static Path home() {
        String env = System.getenv("CONCEPTPRUNE_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try {
            Path jar = Path.of(DefaultModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = jar.getParent();
            while (dir != null) {
                if (Files.isDirectory(dir.resolve("models/toyworld"))) {
                    return dir;
                }
                dir = dir.getParent();
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    /** The toy-world pipeline folder. */
    static Path model() {
        return home().resolve("models/toyworld/model");
    }

    /** The toy-world prompt lists. */
    static Path prompts() {
        return home().resolve("models/toyworld/prompts");
    }
}
