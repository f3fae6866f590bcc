package dev.conceptprune.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.clip.ClipTokenizer;
import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.Verdict;
import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.Progress;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.prune.BaseFingerprint;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.vae.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs UnlearnDiffAtk over a prompt list and writes what eval writes: the images ({@code images/target},
 * {@code images/plain} without attack, {@code images/attack}), {@code manifest.jsonl}, {@code metrics.json} with
 * the detector's rates and {@code report.html}. Each finished prompt is recorded under {@code .attack/}, so an
 * interrupted run resumes where it stopped; the folder's identity (models, settings, detector) guards against
 * mixing two attacks.
 */
public final class PromptAttack {
    /** The method's name in outputs and on the command line. */
    public static final String METHOD = "unlearndiffatk";
    private static final String STATE = ".attack-state.json";
    private static final String RECORDS = ".attack";
    private static final int VERSION = 1;

    private final PromptAttackRequest request;
    private final Detector detector;
    private final Progress progress;
    private final Path out;

    /** @param detector judges the images (null: no verdicts, every round runs) */
    public PromptAttack(PromptAttackRequest request, Detector detector, Progress progress) {
        this.request = request;
        this.detector = detector;
        this.progress = progress;
        this.out = request.out();
    }

    /** What a run did. */
    public record Summary(int prompts, int attacked, int reused, PromptAttackMetrics metrics) {
    }

    private record State(int version, String identity) {
    }

    /** Attacks every prompt not attacked by an earlier run of the same identity, then writes the outputs. */
    public Summary run() {
        OutputLocation.of(out).clearOf("model", request.model()).clearOf("reference model", request.referenceModel())
                .folder();
        if (detector != null && !detector.labels().contains(request.conceptLabel())) {
            throw new InputException("the concept label '" + request.conceptLabel() + "' is not one of the detector's "
                    + detector.name() + " labels " + detector.labels());
        }
        ModelSource attacked = ModelSource.open(request.model());
        ModelSource reference = ModelSource.open(request.referenceModel());
        String identity = identity(attacked, reference);
        claim(identity);
        long start = System.nanoTime();
        boolean same = request.model().toAbsolutePath().normalize()
                .equals(request.referenceModel().toAbsolutePath().normalize());
        List<PromptAttackRow> rows = new ArrayList<>();
        int attackedCount = 0;
        int reused = 0;
        // One copy of the attacked weights serves the gradient steps and the images; a gradient runtime
        // computes out of place, a little slower; its images are the same (bit-identical on the toy model).
        Runtime tracked = Runtime.cpu().withGradients(true);
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(attacked, tracked);
             StableDiffusionPipeline refPipe = same ? null : StableDiffusionPipeline.load(reference);
             NDManager m = tracked.newManager()) {
            StableDiffusionPipeline drawer = same ? pipe : refPipe;
            ClipTokenizer tokenizer = ClipTokenizer.load(attacked, Component.TOKENIZER);
            int trainSteps = attacked.config(Component.SCHEDULER).getInt("num_train_timesteps", 1000);
            UnlearnDiffAtk attack = new UnlearnDiffAtk(pipe.textEncoder(), tokenizer,
                    new DenoisingLoss(pipe.textEncoder(), pipe.unet()), Schedulers.from(attacked, null), trainSteps,
                    request.search());
            int n = request.prompts().size();
            Progress.Task task = progress.task("attack: " + METHOD, "prompt", n, 0);
            for (int i = 0; i < n; i++) {
                String key = Hashing.sha256(identity + "\n" + i + "\n" + request.prompts().get(i) + "\n"
                        + request.targetPrompts().get(i) + "\n" + request.seeds().get(i));
                Path record = out.resolve(RECORDS).resolve(key + ".json");
                PromptAttackRow done = readRecord(record);
                if (done != null) {
                    rows.add(done);
                    reused++;
                } else {
                    PromptAttackRow row = attackOne(m, i, pipe, drawer, attack);
                    AtomicFiles.writeString(record, Json.line(row) + "\n");
                    rows.add(row);
                    attackedCount++;
                    task.detail(String.format(Locale.ROOT, "%s: %s", row.adversarialPrompt(),
                            row.detected() == null ? "no detector" : row.detected()));
                }
                task.advance(1);
            }
            task.finish();
        }
        PromptAttackMetrics metrics = PromptAttackMetrics.of(request, detector, rows, (System.nanoTime() - start) / 1e9);
        writeManifest(rows);
        Json.write(out.resolve("metrics.json"), metrics);
        PromptAttackReport.write(out.resolve("report.html"), request, metrics, rows);
        return new Summary(rows.size(), attackedCount, reused, metrics);
    }

    private PromptAttackRow attackOne(NDManager m, int i, StableDiffusionPipeline pipe, StableDiffusionPipeline drawer,
                                      UnlearnDiffAtk attack) {
        long t0 = System.nanoTime();
        String prompt = request.prompts().get(i);
        String targetPrompt = request.targetPrompts().get(i);
        long seed = request.seeds().get(i);
        String name = String.format(Locale.ROOT, "%03d.png", i);
        BufferedImage target = image(drawer, targetPrompt, seed);
        write(target, "images/target/" + name);
        String targetLabel = label(target);
        float[] latent;
        Shape latentShape = pipe.latentShape(1, request.sampling().height(), request.sampling().width());
        try (NDManager s = m.newSubManager()) {
            NDArray mean = pipe.vae().encodeMean(Images.fromImage(s, target));
            latent = mean.mul(pipe.vae().config().scalingFactor()).toFloatArray();
        }
        BufferedImage plain = image(pipe, prompt, seed);
        write(plain, "images/plain/" + name);
        String plainLabel = label(plain);
        boolean plainConcept = request.conceptLabel() != null && request.conceptLabel().equals(plainLabel);
        if (plainConcept) {
            return new PromptAttackRow(i, prompt, targetPrompt, prompt, seed, "images/plain/" + name,
                    "images/plain/" + name, "images/target/" + name, request.model().toString(),
                    request.referenceModel().toString(), targetLabel, plainLabel, plainLabel, true, true, 0, 0, 0,
                    (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Judged> judged = new LinkedHashMap<>();
        UnlearnDiffAtk.Judge judge = detector == null ? null : adversarial -> {
            BufferedImage img = image(pipe, adversarial, seed);
            Judged j = new Judged(img, label(img));
            judged.put(adversarial, j);
            return request.conceptLabel().equals(j.label());
        };
        UnlearnDiffAtk.Result r = attack.attack(m, prompt, latent, latentShape, seed, judge);
        Judged last = judged.get(r.prompt());
        if (last == null) {
            BufferedImage img = image(pipe, r.prompt(), seed);
            last = new Judged(img, label(img));
        }
        write(last.image(), "images/attack/" + name);
        String label = last.label();
        return new PromptAttackRow(i, prompt, targetPrompt, r.prompt(), seed, "images/attack/" + name,
                "images/plain/" + name, "images/target/" + name, request.model().toString(),
                request.referenceModel().toString(), targetLabel, plainLabel, label, false,
                label != null && label.equals(request.conceptLabel()), r.loss(), r.iterations(), r.rounds(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** An image the judge looked at and its label. */
    private record Judged(BufferedImage image, String label) {
    }

    private BufferedImage image(StableDiffusionPipeline p, String prompt, long seed) {
        GenerationSettings g = request.sampling().withPrompt(prompt);
        float[] pixels = p.generateEach(List.of(prompt), List.of(seed), g, 1, StepListener.NONE).get(0);
        return Images.toImage(pixels, 0, g.height(), g.width());
    }

    private String label(BufferedImage image) {
        if (detector == null) {
            return null;
        }
        Verdict v = detector.detect(List.of(image)).get(0);
        return v.bestLabel();
    }

    private void write(BufferedImage image, String file) {
        Images.writePng(image, out.resolve(file));
    }

    /** The content key of everything the results depend on. */
    private String identity(ModelSource attacked, ModelSource reference) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("method", METHOD);
        id.put("model", fingerprint(attacked));
        id.put("reference_model", fingerprint(reference));
        id.put("search", request.search());
        GenerationSettings g = request.sampling();
        id.put("steps", g.steps());
        id.put("guidance", g.guidance());
        id.put("scheduler", g.scheduler());
        id.put("negative_prompt", g.negativePrompt());
        id.put("size", g.height() + "x" + g.width());
        id.put("concept_label", request.conceptLabel());
        id.put("detector", detector == null ? null : detector.key());
        return Hashing.sha256(Json.line(id));
    }

    private static String fingerprint(ModelSource source) {
        try (TensorSource unet = source.tensors(Component.UNET)) {
            return BaseFingerprint.of(unet);
        }
    }

    /** Takes the folder for this identity: a fresh or matching folder, or another one when forced. */
    private void claim(String identity) {
        try {
            if (Files.exists(out)) {
                State s = readState();
                boolean empty;
                try (Stream<Path> l = Files.list(out)) {
                    empty = l.findAny().isEmpty();
                }
                if (!empty && (s == null || !identity.equals(s.identity()))) {
                    if (!request.force()) {
                        throw new InputException(out + (s == null ? " holds other files" : " holds another attack "
                                + "(other models or settings)") + "; force it or choose another folder");
                    }
                    for (String sub : List.of("images", RECORDS)) {
                        AtomicFiles.removeTree(out.resolve(sub));
                    }
                }
            }
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve(STATE), Json.line(new State(VERSION, identity)) + "\n");
        } catch (IOException e) {
            throw AtomicFiles.failure(out, e);
        }
    }

    private State readState() {
        try {
            Path p = out.resolve(STATE);
            return Files.isRegularFile(p) ? Json.compact().fromJson(Files.readString(p), State.class) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A finished prompt's row, or null when there is none or its images are gone. */
    private PromptAttackRow readRecord(Path record) {
        try {
            if (!Files.isRegularFile(record)) {
                return null;
            }
            PromptAttackRow row = Json.compact().fromJson(Files.readString(record), PromptAttackRow.class);
            for (String f : List.of(row.file(), row.plainFile(), row.targetFile())) {
                if (!Files.isRegularFile(out.resolve(f))) {
                    return null;
                }
            }
            return row;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void writeManifest(List<PromptAttackRow> rows) {
        StringBuilder b = new StringBuilder();
        rows.forEach(r -> b.append(Json.line(r)).append('\n'));
        AtomicFiles.writeString(out.resolve("manifest.jsonl"), b.toString());
    }
}
