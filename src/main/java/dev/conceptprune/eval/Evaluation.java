package dev.conceptprune.eval;

import dev.conceptprune.io.Progress;
import java.util.ArrayList;
import java.util.List;

/** An evaluation from request to report: plan (all checks first), then run. */
public final class Evaluation {
    private Evaluation() {
    }

    /** Plans and runs a request in its output folder, generating in this process. */
    public static EvalRun.Summary run(EvalRequest request, Progress progress) {
        return run(request, ImageGeneration.LOCAL, progress);
    }

    /** Plans and runs a request in its output folder, generating the images with {@code generation}. */
    public static EvalRun.Summary run(EvalRequest request, ImageGeneration generation, Progress progress) {
        EvalPlan plan = EvalPlanner.plan(request);
        List<Detector> detectors = new ArrayList<>();
        if (request.nudenet() != null) {
            detectors.add(new NudeNetDetector(request.nudenet(), request.nudityThreshold()));
        }
        if (request.classifier() != null) {
            detectors.add(new ImageNetteDetector(request.classifier()));
        }
        return new EvalRun(plan, request.clip(), detectors, request.batch(), request.out(), progress)
                .withSetDistances(request.setDistances()).withGeneration(generation).run(request.force());
    }
}
