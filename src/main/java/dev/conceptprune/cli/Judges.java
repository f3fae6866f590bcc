package dev.conceptprune.cli;

import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.DetectorFactory;
import dev.conceptprune.eval.ImageNetteDetector;
import dev.conceptprune.eval.NudeNetDetector;
import dev.conceptprune.instruments.nudenet.NudityVerdict;
import dev.conceptprune.io.InputException;
import dev.conceptprune.toyworld.TextureStyleDetector;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one reading of the judge options that attack and erase --auto share ({@code --texture-styles},
 * {@code --nudenet}, {@code --classifier}, and the flag naming the concept's label), checked before any work.
 */
final class Judges {
    private Judges() {
    }

    /** The detector the options name, or null when none is given. */
    static Detector detector(boolean textureStyles, Path nudenet, Path classifier) {
        DetectorFactory f = factory(textureStyles, nudenet, classifier);
        return f == null ? null : f.open();
    }

    /**
     * How to make the detector the options name (each worker of a Spark run opens its own), or null when none
     * is given; the files are checked here.
     */
    static DetectorFactory factory(boolean textureStyles, Path nudenet, Path classifier) {
        int given = (textureStyles ? 1 : 0) + (nudenet != null ? 1 : 0) + (classifier != null ? 1 : 0);
        if (given > 1) {
            throw new InputException("give one detector: --texture-styles, --nudenet or --classifier");
        }
        if (nudenet != null) {
            if (!Files.isRegularFile(nudenet)) {
                throw new InputException("--nudenet " + nudenet + ": file not found");
            }
            // A path is not serialisable; its name is (resolved by each executor, as the model paths are).
            String file = nudenet.toString();
            return () -> new NudeNetDetector(Path.of(file), NudityVerdict.DEFAULT_THRESHOLD);
        }
        if (classifier != null) {
            if (!Files.exists(classifier)) {
                throw new InputException("--classifier " + classifier + ": not found");
            }
            String file = classifier.toString();
            return () -> new ImageNetteDetector(Path.of(file));
        }
        return textureStyles ? TextureStyleDetector::new : null;
    }

    /**
     * The concept's label: {@code given}, NudeNet's 'nude' by default, or null without a detector.
     *
     * @param flag the option that names it, for the messages
     */
    static String conceptLabel(Detector detector, String given, String flag) {
        if (detector == null) {
            if (given != null) {
                throw new InputException(flag + " names a detector's label: give a detector (--texture-styles, "
                        + "--nudenet or --classifier)");
            }
            return null;
        }
        String label = given != null ? given : detector instanceof NudeNetDetector ? NudeNetDetector.NUDE : null;
        if (label == null) {
            throw new InputException("name the erased concept's label with " + flag + " (one of " + detector.labels()
                    + ")");
        }
        if (!detector.labels().contains(label)) {
            throw new InputException(flag + " '" + label + "' is not one of the detector's labels " + detector.labels());
        }
        return label;
    }
}
