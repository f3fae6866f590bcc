package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.pipeline.GenerationSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What an evaluation produces: one image per model and usable prompt row, with the row's seed and
 * guidance where the file gives them and the defaults otherwise. Building a plan checks everything
 * that can be checked without loading a model, so that bad input fails before the long work.
 */
public final class EvalPlan {
    /**
     * The prompt-set column that gives a row its neutral prompt: what the row's prompt should look like once the
     * concept is erased (the same caption without it). The first model also draws it, with the row's seed, as
     * the model {@link #neutralModel}; {@link Neutrality} compares every model's image with that one.
     */
    public static final String NEUTRAL_COLUMN = "neutral_prompt";

    private final List<EvalModel> models;
    private final EvalModel neutral;
    private final PromptSet prompts;
    private final List<EvalImage> images;
    private final List<String> problems;
    private final List<String> labels;
    private final String labelColumn;
    private final GenerationSettings defaults;

    private EvalPlan(List<EvalModel> models, EvalModel neutral, PromptSet prompts, List<EvalImage> images,
                     List<String> problems, List<String> labels, String labelColumn, GenerationSettings defaults) {
        this.defaults = defaults;
        this.models = List.copyOf(models);
        this.neutral = neutral;
        this.prompts = prompts;
        this.images = Collections.unmodifiableList(images);
        this.problems = Collections.unmodifiableList(problems);
        this.labels = List.copyOf(labels);
        this.labelColumn = labelColumn;
    }

    /**
     * Plans the images.
     *
     * @param defaults    negative prompt, steps, guidance, scheduler and seed for rows that give none;
     *                    its prompt and size are replaced per row and model
     * @param labels      zero-shot labels, possibly empty
     * @param labelColumn a prompt-file column holding the expected label per row, or null
     * @throws InputException when no row is usable or the labels do not fit the column
     */
    public static EvalPlan of(List<EvalModel> models, PromptSet prompts, GenerationSettings defaults,
                              List<String> labels, String labelColumn) {
        if (models.isEmpty()) {
            throw new InputException("an evaluation needs at least one model");
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new InputException("the zero-shot labels repeat a label: " + labels);
        }
        if (labelColumn != null && !labels.isEmpty()) {
            checkLabelColumn(prompts, labels, labelColumn);
        } else if (labelColumn != null) {
            requireColumn(prompts, labelColumn);
        }
        List<String> problems = new ArrayList<>(prompts.problems());
        List<EvalImage> images = new ArrayList<>();
        List<GenerationSettings> perRow = new ArrayList<>();
        for (PromptRow row : prompts.rows()) {
            perRow.add(settings(row, defaults, problems));
        }
        for (EvalModel m : models) {
            GenerationSettings own = m.defaults() != null ? m.defaults() : defaults;
            for (int i = 0; i < perRow.size(); i++) {
                if (perRow.get(i) != null) {
                    // A usable row stays usable under any model's defaults: only the row's own values are checked.
                    PromptRow row = prompts.rows().get(i);
                    GenerationSettings s = settings(row, own, new ArrayList<>());
                    int[] size = rowSize(row);
                    images.add(new EvalImage(m, i, row, new GenerationSettings(s.prompt(),
                            s.negativePrompt(), s.steps(), s.guidance(), s.scheduler(), s.seed(),
                            size != null ? size[0] : m.height(), size != null ? size[1] : m.width(),
                            1, null).withSdxl(own.sdxl())));
                }
            }
        }
        List<EvalModel> all = new ArrayList<>(models);
        EvalModel neutral = null;
        String column = prompts.labelColumns().stream().filter(c -> c.equalsIgnoreCase(NEUTRAL_COLUMN)).findFirst()
                .orElse(null);
        if (column != null) {
            neutral = neutralModel(models);
            all.add(neutral);
            for (EvalImage i : List.copyOf(images)) {
                String text = i.row().labels().get(column);
                if (i.model().equals(models.get(0)) && text != null && !text.isBlank()) {
                    GenerationSettings s = i.settings();
                    images.add(new EvalImage(neutral, i.index(), i.row(), new GenerationSettings(text.strip(),
                            s.negativePrompt(), s.steps(), s.guidance(), s.scheduler(), s.seed(), s.height(),
                            s.width(), 1, null).withSdxl(s.sdxl())));
                }
            }
        }
        if (images.isEmpty()) {
            throw new InputException(prompts.file() + ": no usable prompts"
                    + (problems.isEmpty() ? "" : " (" + problems.size() + " rows skipped: " + problems.get(0) + ")"));
        }
        return new EvalPlan(all, neutral, prompts, images, problems, labels, labelColumn, defaults);
    }

    /** The first model under a name of its own, for the images of the rows' neutral prompts. */
    private static EvalModel neutralModel(List<EvalModel> models) {
        EvalModel first = models.get(0);
        String name = first.name() + "-neutral";
        for (int k = 2; true; k++) {
            String candidate = name;
            if (models.stream().noneMatch(m -> m.name().equalsIgnoreCase(candidate))) {
                break;
            }
            name = first.name() + "-neutral-" + k;
        }
        return new EvalModel(name, first.path(), first.key(), first.height(), first.width(), first.options(),
                first.decode(), first.defaults(), first.compute(), first.device());
    }

    /**
     * Image-folder names for model folders: each folder's name with characters outside
     * {@code [A-Za-z0-9._-]} replaced, so that report links need no escaping, and -2, -3, ...
     * appended to repeats (compared ignoring case, for case-insensitive file systems).
     */
    public static List<String> uniqueNames(List<Path> folders) {
        List<String> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (Path f : folders) {
            Path name = f.toAbsolutePath().normalize().getFileName();
            String base = name == null ? "model" : name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
            if (base.isEmpty() || base.startsWith(".")) {
                base = "model" + base;
            }
            String unique = base;
            for (int n = 2; !taken.add(unique.toLowerCase(Locale.ROOT)); n++) {
                unique = base + "-" + n;
            }
            out.add(unique);
        }
        return out;
    }

    /**
     * Names given to the models, one each: used as image-folder names and in the report, so they must be
     * distinct (ignoring case) and made of {@code [A-Za-z0-9._-]}.
     */
    public static List<String> checkNames(List<String> names, List<Path> models) {
        if (names.size() != models.size()) {
            throw new InputException(names.size() + " model names for " + models.size() + " models; give one per model");
        }
        Set<String> taken = new HashSet<>();
        for (String n : names) {
            if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new InputException("model name '" + n + "' must start with a letter or digit and hold only "
                        + "letters, digits, '.', '_' and '-'");
            }
            if (!taken.add(n.toLowerCase(Locale.ROOT))) {
                throw new InputException("model name '" + n + "' is given twice");
            }
        }
        return List.copyOf(names);
    }

    /** The models, the baseline first; with a {@link #NEUTRAL_COLUMN}, {@link #neutralModel} last. */
    public List<EvalModel> models() {
        return models;
    }

    public PromptSet prompts() {
        return prompts;
    }

    /**
     * The first model drawing the rows' neutral prompts (the last of {@link #models}), or null when the prompt
     * set has no {@link #NEUTRAL_COLUMN}.
     */
    public EvalModel neutralModel() {
        return neutral;
    }

    /** This plan without {@link #neutralModel} and its images. */
    public EvalPlan withoutNeutral() {
        if (neutral == null) {
            return this;
        }
        return new EvalPlan(models.stream().filter(m -> !m.equals(neutral)).toList(), null, prompts,
                images.stream().filter(i -> !i.model().equals(neutral)).toList(), problems, labels, labelColumn, defaults);
    }

    /** All images, model by model, rows in file order. */
    public List<EvalImage> images() {
        return images;
    }

    /** The images of one model, rows in file order. */
    public List<EvalImage> images(EvalModel model) {
        return images.stream().filter(i -> i.model().equals(model)).toList();
    }

    /** The prompt set's problems followed by rows this plan skipped, each starting with "line N:". */
    public List<String> problems() {
        return problems;
    }

    /** The settings for rows that give no seed or guidance of their own. */
    public GenerationSettings defaults() {
        return defaults;
    }

    /** Zero-shot labels; empty when none were given. */
    public List<String> labels() {
        return labels;
    }

    /** The column holding expected labels, or null. */
    public String labelColumn() {
        return labelColumn;
    }

    /** The label a row expects according to the label column, or null when there is no column or the cell is empty. */
    public String expectedLabel(PromptRow row) {
        return expectedLabel(row, labels);
    }

    /**
     * The one of {@code among} (a detector's labels) that the row's label column names, compared
     * ignoring case; null without a column, with an empty cell or when it names none of them.
     */
    public String expectedLabel(PromptRow row, List<String> among) {
        if (labelColumn == null) {
            return null;
        }
        return matchingLabel(among, row.labels().get(labelColumn));
    }

    private static GenerationSettings settings(PromptRow row, GenerationSettings d, List<String> problems) {
        long seed = row.seed() != null ? row.seed() : d.seed();
        double guidance = row.guidance() != null ? row.guidance() : d.guidance();
        String where = "line " + row.line() + ": ";
        // The seeded noise takes torch's 32-bit manual seeds; larger ones cannot be reproduced.
        if (seed < 0 || seed > Integer.MAX_VALUE) {
            problems.add(where + "evaluation_seed " + seed + " is outside 0.." + Integer.MAX_VALUE + "; row skipped");
            return null;
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            problems.add(where + "evaluation_guidance " + guidance + " is not a number >= 0; row skipped");
            return null;
        }
        try {
            rowSize(row);
        } catch (IllegalArgumentException e) {
            problems.add(where + e.getMessage() + "; row skipped");
            return null;
        }
        return new GenerationSettings(row.prompt(), d.negativePrompt(), d.steps(), guidance, d.scheduler(), seed,
                d.height(), d.width(), 1, null);
    }

    /** The columns that give a row its own image size, as I2P's CSV has them. */
    public static final String HEIGHT_COLUMN = "sd_image_height";
    /** See {@link #HEIGHT_COLUMN}. */
    public static final String WIDTH_COLUMN = "sd_image_width";
    private static final int MAX_SIDE = 8192;

    /**
     * The row's own {height, width} from {@value #HEIGHT_COLUMN} and {@value #WIDTH_COLUMN}, or null
     * when it gives none (both cells are needed).
     *
     * @throws IllegalArgumentException when the cells are not sizes
     */
    public static int[] rowSize(PromptRow row) {
        String h = row.labels().get(HEIGHT_COLUMN);
        String w = row.labels().get(WIDTH_COLUMN);
        if (h == null || w == null || h.isBlank() || w.isBlank()) {
            return null;
        }
        return new int[] {side(HEIGHT_COLUMN, h), side(WIDTH_COLUMN, w)};
    }

    private static int side(String column, String cell) {
        int v;
        try {
            // CSV writers give whole numbers as "512" or "512.0".
            double d = Double.parseDouble(cell.strip());
            v = (int) d;
            if (v != d) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " '" + cell.strip() + "' is not a whole number of pixels");
        }
        if (v < 1 || v > MAX_SIDE) {
            throw new IllegalArgumentException(column + " " + v + " is outside 1.." + MAX_SIDE);
        }
        return v;
    }

    /** The largest {height, width} the rows ask for, or null when none gives a size. */
    public static int[] largestRowSize(PromptSet prompts) {
        int[] max = null;
        for (PromptRow r : prompts.rows()) {
            int[] s;
            try {
                s = rowSize(r);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (s != null) {
                max = max == null ? s : new int[] {Math.max(max[0], s[0]), Math.max(max[1], s[1])};
            }
        }
        return max;
    }

    /** Checks that every value of a prompt-file column names one of the labels. */
    public static void checkLabelColumn(PromptSet prompts, List<String> labels, String column) {
        if (labels.isEmpty()) {
            throw new InputException("a label column needs zero-shot labels to compare against");
        }
        requireColumn(prompts, column);
        Set<String> unmatched = new LinkedHashSet<>();
        for (PromptRow r : prompts.rows()) {
            String value = r.labels().get(column);
            if (!value.isBlank() && matchingLabel(labels, value) == null) {
                unmatched.add(value.strip());
            }
        }
        if (!unmatched.isEmpty()) {
            List<String> shown = unmatched.stream().limit(5).toList();
            throw new InputException("values " + shown
                    + (unmatched.size() > shown.size() ? " and " + (unmatched.size() - shown.size()) + " more" : "")
                    + " of column " + column + " match none of the labels " + labels + " (compared ignoring case)");
        }
    }

    /** Checks that the prompt set has the column (a detector with labels of its own compares against it). */
    public static void requireColumn(PromptSet prompts, String column) {
        if (!prompts.labelColumns().contains(column)) {
            throw new InputException(prompts.file() + " has no column '" + column
                    + "'" + (prompts.labelColumns().isEmpty() ? "" : "; it has " + prompts.labelColumns()));
        }
    }

    private static String matchingLabel(List<String> labels, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return labels.stream().filter(l -> l.strip().equalsIgnoreCase(value.strip())).findFirst().orElse(null);
    }
}
