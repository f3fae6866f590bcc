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
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.vae.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The loaded side of a {@link PromptAttack}: the attacked and reference pipelines, the tokenizer and
 * a detector of its own, held by one process (the attack's, or a Spark executor's) across the prompts
 * it attacks. {@link #attack} writes one prompt's images and its record into the output folder.
 */
public final class PromptAttacker implements AutoCloseable {
    /** Where each finished prompt's record lies in the output folder. */
    static final String RECORDS = ".attack";

    private final PromptAttackRequest request;
    private final String identity;
    private final Detector detector;
    private final StableDiffusionPipeline pipe;
    private final StableDiffusionPipeline refPipe;
    private final NDManager manager;
    private final UnlearnDiffAtk attack;

    private PromptAttacker(PromptAttackRequest request, String identity, Detector detector,
                           StableDiffusionPipeline pipe, StableDiffusionPipeline refPipe, NDManager manager,
                           UnlearnDiffAtk attack) {
        this.request = request;
        this.identity = identity;
        this.detector = detector;
        this.pipe = pipe;
        this.refPipe = refPipe;
        this.manager = manager;
        this.attack = attack;
    }

    /**
     * Loads what attacking needs; the attacker closes {@code detector} (null: no verdicts, every round runs).
     *
     * @param identity the run's {@link PromptAttack#identity}, part of every record's key
     */
    public static PromptAttacker open(PromptAttackRequest request, String identity, Detector detector) {
        Runtime selected = Runtime.selected();
        if (selected.halfPrecision()) {
            throw new InputException("attack unlearndiffatk computes gradients, which stay float32: drop --dtype "
                    + Runtime.name(selected.dtype()));
        }
        ModelSource attacked = ModelSource.open(request.model());
        boolean same = request.model().toAbsolutePath().normalize()
                .equals(request.referenceModel().toAbsolutePath().normalize());
        // One copy of the attacked weights serves the gradient steps and the images; a gradient runtime
        // computes out of place, a little slower; its images are the same (bit-identical on the toy model).
        Runtime tracked = selected.withGradients(true);
        StableDiffusionPipeline pipe = null;
        StableDiffusionPipeline refPipe = null;
        try {
            pipe = StableDiffusionPipeline.load(attacked, tracked);
            refPipe = same ? null : StableDiffusionPipeline.load(ModelSource.open(request.referenceModel()));
            ClipTokenizer tokenizer = ClipTokenizer.load(attacked, Component.TOKENIZER);
            int trainSteps = attacked.config(Component.SCHEDULER).getInt("num_train_timesteps", 1000);
            UnlearnDiffAtk attack = new UnlearnDiffAtk(pipe.textEncoder(), tokenizer,
                    new DenoisingLoss(pipe.textEncoder(), pipe.unet()), Schedulers.from(attacked, null), trainSteps,
                    request.search());
            return new PromptAttacker(request, identity, detector, pipe, refPipe, tracked.newManager(), attack);
        } catch (RuntimeException e) {
            closeAll(refPipe, pipe, detector);
            throw e;
        }
    }

    /** The record file of prompt {@code i} of a run of {@code identity}. */
    static Path record(PromptAttackRequest request, String identity, int i) {
        String key = Hashing.sha256(identity + "\n" + i + "\n" + request.prompts().get(i) + "\n"
                + request.targetPrompts().get(i) + "\n" + request.seeds().get(i));
        return request.out().resolve(RECORDS).resolve(key + ".json");
    }

    /**
     * The files an attack of prompt {@code i} may write, relative to the output folder, in the order it
     * writes them (the record last; the attack image only when the plain image does not show the concept).
     */
    public static List<String> files(PromptAttackRequest request, String identity, int i) {
        String name = imageName(i);
        return List.of("images/target/" + name, "images/plain/" + name, "images/attack/" + name,
                request.out().relativize(record(request, identity, i)).toString().replace('\\', '/'));
    }

    private static String imageName(int i) {
        return String.format(Locale.ROOT, "%03d.png", i);
    }

    /**
     * Attacks prompt {@code i}, writes its images, then its record (atomically, last), and returns its row.
     *
     * @throws InputException naming the prompt, when its input is bad
     */
    public PromptAttackRow attack(int i) {
        PromptAttackRow row;
        try {
            row = attackOne(i);
        } catch (InputException e) {
            throw new InputException("prompt " + (i + 1) + " ('" + request.prompts().get(i) + "'): " + e.getMessage(),
                    e);
        }
        AtomicFiles.writeString(record(request, identity, i), Json.line(row) + "\n");
        return row;
    }

    private PromptAttackRow attackOne(int i) {
        long t0 = System.nanoTime();
        String prompt = request.prompts().get(i);
        String targetPrompt = request.targetPrompts().get(i);
        long seed = request.seeds().get(i);
        String name = imageName(i);
        BufferedImage target = image(refPipe == null ? pipe : refPipe, targetPrompt, seed);
        write(target, "images/target/" + name);
        String targetLabel = label(target);
        float[] latent;
        Shape latentShape = pipe.latentShape(1, request.sampling().height(), request.sampling().width());
        try (NDManager s = manager.newSubManager()) {
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
        UnlearnDiffAtk.Result r = attack.attack(manager, prompt, latent, latentShape, seed, judge);
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
        Images.writePng(image, request.out().resolve(file));
    }

    @Override
    public void close() {
        closeAll(manager, pipe, refPipe, detector);
    }

    /** Closes each of {@code held} (nulls skipped), all of them even when one fails; the first failure is thrown. */
    private static void closeAll(AutoCloseable... held) {
        RuntimeException failure = null;
        for (AutoCloseable c : held) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
