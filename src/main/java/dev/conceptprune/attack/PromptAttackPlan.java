package dev.conceptprune.attack;

import ai.djl.Device;
import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.DetectorFactory;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.Json;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.prune.BaseFingerprint;
import dev.conceptprune.runtime.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every worker of one attack run needs to attack any of its prompts.
 *
 * @param request  the run
 * @param judge    makes each worker's detector (null: none)
 * @param identity the content key of everything the results depend on ({@link #identity})
 */
public record PromptAttackPlan(PromptAttackRequest request, DetectorFactory judge, String identity) {
    /** A worker for this plan, with a detector of its own; the caller closes it. */
    public PromptAttacker open() {
        return PromptAttacker.open(request, identity, judge == null ? null : judge.open());
    }

    /** Prompt {@code i}'s row when an earlier worker finished it: its record and all its images are stored. */
    public PromptAttackRow finished(int i) {
        try {
            Path record = PromptAttacker.record(request, identity, i);
            if (!Files.isRegularFile(record)) {
                return null;
            }
            PromptAttackRow row = Json.compact().fromJson(Files.readString(record), PromptAttackRow.class);
            for (String f : List.of(row.file(), row.plainFile(), row.targetFile())) {
                if (!Files.isRegularFile(request.out().resolve(f))) {
                    return null;
                }
            }
            return row;
        } catch (IOException | RuntimeException e) {
            // a damaged record is attacked again
            return null;
        }
    }

    /**
     * The content key of the models' UNet weights, the search, the sampler, the concept and the detector:
     * two runs of one key write the same records.
     */
    public static String identity(PromptAttackRequest request, Detector detector) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("method", PromptAttack.METHOD);
        id.put("model", fingerprint(ModelSource.open(request.model())));
        id.put("reference_model", fingerprint(ModelSource.open(request.referenceModel())));
        id.put("search", request.search());
        GenerationSettings g = request.sampling();
        id.put("steps", g.steps());
        id.put("guidance", g.guidance());
        id.put("scheduler", g.scheduler());
        id.put("negative_prompt", g.negativePrompt());
        id.put("size", g.height() + "x" + g.width());
        id.put("concept_label", request.conceptLabel());
        id.put("detector", detector == null ? null : detector.key());
        Device device = Runtime.selected().device();
        if (device.isGpu()) {
            // a CUDA device's kernels round otherwise than the CPU's: its images are its own
            id.put("device", Runtime.name(device));
        } else if (!Runtime.convAlgorithm().isDefault()) {
            // float32 convolutions computed by another algorithm than the default round otherwise
            id.put("conv_algorithm", Runtime.convAlgorithm().id());
        }
        return Hashing.sha256(Json.line(id));
    }

    private static String fingerprint(ModelSource source) {
        try (TensorSource unet = source.tensors(Component.UNET)) {
            return BaseFingerprint.of(unet);
        }
    }
}
