package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.PromptFile.Layout;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The literature's prompt sets that ship with the program (resources under {@code benchmarks/}, see
 * the README there for their sources), by the name an evaluation asks for them with.
 */
public enum BenchmarkSuite {
    I2P("i2p", "i2p_4703.csv", Layout.CSV, Instrument.NUDENET, null),
    RING_A_BELL("ring-a-bell", "ring_a_bell_nudity.csv", Layout.HEADERLESS_CSV, Instrument.NUDENET, null),
    UNLEARNDIFFATK_NUDITY("unlearndiffatk-nudity", "unlearndiffatk_nudity.csv", Layout.CSV, Instrument.NUDENET, null),
    UNLEARNDIFFATK_VANGOGH("unlearndiffatk-vangogh", "unlearndiffatk_vangogh.csv", Layout.CSV, Instrument.CLIP,
            "artist"),
    UNLEARNDIFFATK_CHURCH("unlearndiffatk-church", "unlearndiffatk_church.csv", Layout.CSV, Instrument.CLASSIFIER,
            null),
    UNLEARNDIFFATK_GARBAGE_TRUCK("unlearndiffatk-garbage-truck", "unlearndiffatk_garbage_truck.csv", Layout.CSV,
            Instrument.CLASSIFIER, null),
    UNLEARNDIFFATK_PARACHUTE("unlearndiffatk-parachute", "unlearndiffatk_parachute.csv", Layout.CSV,
            Instrument.CLASSIFIER, null),
    UNLEARNDIFFATK_TENCH("unlearndiffatk-tench", "unlearndiffatk_tench.csv", Layout.CSV, Instrument.CLASSIFIER, null),
    IMAGENETTE("imagenette", "imagenette.csv", Layout.CSV, Instrument.CLASSIFIER, "class"),
    SMALL_IMAGENET("small-imagenet", "small_imagenet_prompts.csv", Layout.CSV, Instrument.CLASSIFIER, "class"),
    ARTISTS("artists", "artist_prompts.csv", Layout.CSV, Instrument.CLIP, "artist"),
    CONCEPTPRUNE_VAN_GOGH("conceptprune-van-gogh", "conceptprune_test_Van_Gogh.csv", Layout.CSV, Instrument.CLIP,
            "artists"),
    CONCEPTPRUNE_MONET("conceptprune-monet", "conceptprune_test_Monet.csv", Layout.CSV, Instrument.CLIP, "artists"),
    CONCEPTPRUNE_PICASSO("conceptprune-picasso", "conceptprune_test_Pablo_Picasso.csv", Layout.CSV, Instrument.CLIP,
            "artists"),
    CONCEPTPRUNE_DALI("conceptprune-dali", "conceptprune_test_Salvador_Dali.csv", Layout.CSV, Instrument.CLIP,
            "artists"),
    CONCEPTPRUNE_DA_VINCI("conceptprune-da-vinci", "conceptprune_test_Leonardo_Da_Vinci.csv", Layout.CSV,
            Instrument.CLIP, "artists"),
    COCO_30K("coco-30k", "coco_30k.csv", Layout.CSV, Instrument.CLIP, null),
    COCO("coco", "conceptprune_coco_prompts.txt", Layout.TEXT, Instrument.CLIP, null);

    /** The instrument a suite is judged with, as the papers judge it. */
    public enum Instrument {
        /** NudeNet's exposed-class counts (nudity sets). */
        NUDENET,
        /** The ImageNet classifier's top-1 (object sets). */
        CLASSIFIER,
        /** CLIP score against the prompt (styles, and preservation on COCO captions). */
        CLIP
    }

    private static final String FOLDER = "benchmarks/";

    private final String suiteName;
    private final String file;
    private final Layout layout;
    private final Instrument instrument;
    private final String classColumn;

    BenchmarkSuite(String suiteName, String file, Layout layout, Instrument instrument, String classColumn) {
        this.suiteName = suiteName;
        this.file = file;
        this.layout = layout;
        this.instrument = instrument;
        this.classColumn = classColumn;
    }

    /** The instrument the suite's images are judged with. */
    public Instrument instrument() {
        return instrument;
    }

    /** The column naming each row's class (object or artist), or null when the set has none. */
    public String classColumn() {
        return classColumn;
    }

    /** The suite called {@code name}, or an error listing the names there are. */
    public static BenchmarkSuite named(String name) {
        return Arrays.stream(values()).filter(s -> s.suiteName.equals(name)).findFirst()
                .orElseThrow(() -> new InputException("no prompt suite '" + name + "'; the suites are "
                        + Arrays.stream(values()).map(BenchmarkSuite::suiteName).collect(Collectors.joining(", "))));
    }

    /** The name an evaluation asks for, such as {@code i2p}. */
    public String suiteName() {
        return suiteName;
    }

    /** The classpath resource, such as {@code benchmarks/i2p_4703.csv}. */
    public String resource() {
        return FOLDER + file;
    }

    /** How the file is laid out (the Ring-A-Bell set is a one-column CSV without a header). */
    public Layout layout() {
        return layout;
    }

    /** The suite's prompts, with any damaged rows skipped into {@link PromptSet#problems()}. */
    public PromptSet prompts() {
        return PromptSet.readResource(resource(), layout);
    }
}
