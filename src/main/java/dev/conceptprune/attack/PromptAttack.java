package dev.conceptprune.attack;

import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.DetectorFactory;
import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs UnlearnDiffAtk over a prompt list and writes what eval writes: the images ({@code images/target},
 * {@code images/plain} without attack, {@code images/attack}), {@code manifest.jsonl}, {@code metrics.json} with
 * the detector's rates and {@code report.html}. Each finished prompt is recorded under {@code .attack/}, so an
 * interrupted run resumes where it stopped; the folder's identity (models, settings, detector) guards against
 * mixing two attacks. This class is the driver: the prompts themselves are attacked by an
 * {@link AttackExecution} (this process, or Spark's executors), each through a {@link PromptAttacker}.
 */
public final class PromptAttack {
    /** The method's name in outputs and on the command line. */
    public static final String METHOD = "unlearndiffatk";
    private static final String STATE = ".attack-state.json";
    private static final int VERSION = 1;

    private final PromptAttackRequest request;
    private final DetectorFactory judge;
    private final AttackExecution execution;
    private final Progress progress;
    private final Path out;

    /**
     * An attack run in this process.
     *
     * @param judge makes the detector that judges the images (null: no verdicts, every round runs)
     */
    public PromptAttack(PromptAttackRequest request, DetectorFactory judge, Progress progress) {
        this(request, judge, AttackExecution.LOCAL, progress);
    }

    /** An attack run whose prompts {@code execution} attacks; this process writes the manifest, metrics and report. */
    public PromptAttack(PromptAttackRequest request, DetectorFactory judge, AttackExecution execution,
                        Progress progress) {
        this.request = request;
        this.judge = judge;
        this.execution = execution;
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
        try (Detector detector = judge == null ? null : judge.open()) {
            if (detector != null && !detector.labels().contains(request.conceptLabel())) {
                throw new InputException("the concept label '" + request.conceptLabel() + "' is not one of the "
                        + "detector's " + detector.name() + " labels " + detector.labels());
            }
            PromptAttackPlan plan = new PromptAttackPlan(request, judge, PromptAttackPlan.identity(request, detector));
            claim(plan.identity());
            long start = System.nanoTime();
            int n = request.prompts().size();
            List<Integer> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (plan.finished(i) == null) {
                    pending.add(i);
                }
            }
            Progress.Task task = progress.task("attack: " + METHOD, "prompt", n, n - pending.size());
            if (!pending.isEmpty()) {
                execution.attack(plan, pending, task);
            }
            task.finish();
            List<PromptAttackRow> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                PromptAttackRow row = plan.finished(i);
                if (row == null) {
                    throw new IllegalStateException("prompt " + (i + 1) + " was attacked but its record or images are "
                            + "missing in " + out);
                }
                rows.add(row);
            }
            PromptAttackMetrics metrics = PromptAttackMetrics.of(request, detector, rows,
                    (System.nanoTime() - start) / 1e9);
            writeManifest(rows);
            Json.write(out.resolve("metrics.json"), metrics);
            PromptAttackReport.write(out.resolve("report.html"), request, metrics, rows);
            return new Summary(rows.size(), pending.size(), n - pending.size(), metrics);
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
                    for (String sub : List.of("images", PromptAttacker.RECORDS)) {
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

    private void writeManifest(List<PromptAttackRow> rows) {
        StringBuilder b = new StringBuilder();
        rows.forEach(r -> b.append(Json.line(r)).append('\n'));
        AtomicFiles.writeString(out.resolve("manifest.jsonl"), b.toString());
    }
}
