package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.pipeline.GeneratedImages;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.SdxlConditions;
import dev.conceptprune.model.Component;
import dev.conceptprune.pipeline.StepProgress;
import dev.conceptprune.pipeline.SamplingMemory;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.vae.Images;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Text to image with the Java Stable Diffusion pipeline. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate images from a prompt.",
            "",
            "Classifier-free guidance; the initial latents are seeded as torch.randn does on the CPU. Progress "
                    + "(call, s/call, ETA) goes to stderr.",
            ""})
public final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    SdxlOptions sdxlOptions;

    @Mixin
    VaeTilingOption vaeTiling;

    @Option(names = "--num-images", defaultValue = "1", paramLabel = "N",
            description = "Images per prompt (default: ${DEFAULT-VALUE}).")
    int numImages;

    @Option(names = "--latents", paramLabel = "FILE",
            description = "Initial latents: a safetensors file with one tensor [n, 4, h/8, w/8] (scaled by the "
                    + "scheduler's init_noise_sigma).")
    Path latents;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Output PNG file; with several images, -0, -1, ... are inserted before its extension.")
    Path out;

    @Option(names = "--force", description = "Overwrite existing output files.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", model.folder())
                .clearOf("latents", latents).file(".png", "PNG"));
        ModelSource folder = model.open();
        SdxlConditions sdxl = sdxlOptions.conditions(folder);
        float[] init = null;
        int n = numImages;
        int[] size = sampling.size(folder);
        if (latents != null) {
            try (SafetensorsFile f = SafetensorsFile.open(latents)) {
                if (f.tensors().size() != 1) {
                    throw new InputException("--latents: " + latents + " must hold exactly one tensor, holds "
                            + f.tensors().size());
                }
                TensorInfo t = f.tensors().values().iterator().next();
                long[] s = t.shape();
                if (s.length != 4) {
                    throw new InputException("--latents: tensor '" + t.name() + "' must be [n, c, h/8, w/8]");
                }
                n = (int) s[0];
                init = f.readFloats(t.name());
                size = sampling.sizeFromLatents(folder, s);
            }
        }
        List<Path> targets = outputs(n);
        GenerationSettings settings = sampling.settings(folder, prompt, size, n).withInitialLatents(init).withSdxl(sdxl);
        DecodeTiling tiling = vaeTiling.tiling(folder);
        SamplingMemory.Estimate plan = StableDiffusionPipeline.check(folder, settings.scheduler(), size[0], size[1],
                (settings.guidance() > 1 ? 2 : 1) * n, n, tiling);
        MemoryPlanNote.say(plan, Main.progress(spec));
        PromptWarnings.of(folder, Main.progress(spec)).option("--prompt", prompt)
                .option("--negative-prompt", sampling.negativePrompt);
        if (sdxlOptions.hasSecondPrompts()) {
            PromptWarnings.of(folder, Component.TOKENIZER_2, Main.progress(spec)).option("--prompt-2",
                    sdxlOptions.prompt2).option("--negative-prompt-2", sdxlOptions.negativePrompt2);
        }
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(folder)) {
            pipe.setDecodeTiling(tiling);
            StepProgress progress = new StepProgress(Main.progress(spec), "generate", 1, settings.steps());
            GeneratedImages images = pipe.generate(settings, progress);
            progress.finish();
            for (int i = 0; i < n; i++) {
                Images.writePng(Images.toImage(images.pixels(), i * size[0] * size[1] * 3, size[0], size[1]), targets.get(i));
                spec.commandLine().getOut().println(targets.get(i));
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private List<Path> outputs(int n) {
        List<Path> paths = new ArrayList<>();
        String name = out.getFileName().toString();
        String stem = name.substring(0, name.length() - ".png".length());
        for (int i = 0; i < n; i++) {
            Path p = n == 1 ? out : out.resolveSibling(stem + "-" + i + ".png");
            if (Files.exists(p) && !force) {
                throw new InputException(p + " already exists; use --force to overwrite");
            }
            paths.add(p);
        }
        return paths;
    }
}
