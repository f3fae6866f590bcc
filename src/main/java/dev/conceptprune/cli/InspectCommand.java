package dev.conceptprune.cli;

import dev.conceptprune.model.Component;
import dev.conceptprune.io.DType;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.TensorStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Lists what a model folder or a safetensors file holds, validating every header on the way. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show what a model folder or a safetensors file holds.",
            "",
            "Lists the components, tensors, parameter counts and metadata of a diffusers model folder or of a "
                    + "single safetensors file. Every weight header is validated; a corrupt file is reported in one "
                    + "line naming the file and the rule it breaks.",
            ""})
public final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "A diffusers model folder or a safetensors file.")
    Path path;

    @Option(names = "--tensors", description = "List every tensor of a model folder (always listed for a single file).")
    boolean tensors;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (Files.isDirectory(path)) {
            inspectFolder(out);
        } else {
            try (SafetensorsFile f = SafetensorsFile.open(path)) {
                out.printf("%s%n", path);
                printFile(out, f, true);
            }
        }
        out.flush();
        return 0;
    }

    private void inspectFolder(PrintWriter out) {
        DiffusersFolder folder = DiffusersFolder.open(path);
        out.printf("%s: %s%n", path, folder.index().getString("_class_name", "(no _class_name)"));
        long total = 0;
        for (Map.Entry<String, String> c : folder.components().entrySet()) {
            String name = c.getKey();
            out.printf("%n[%s] %s  config: %s%n", name, c.getValue(), folder.root().relativize(folder.configPath(name)));
            if (name.equals(Component.SCHEDULER.folderName()) || name.equals(Component.TOKENIZER.folderName())
                    || name.equals("feature_extractor")) {
                continue;
            }
            try (TensorStore store = folder.weights(name)) {
                for (SafetensorsFile f : store.files()) {
                    out.printf("  weights: %s%n", folder.root().relativize(f.path()));
                    printFile(out, f, tensors);
                }
                total += store.parameterCount();
            }
        }
        out.printf("%ntotal parameters: %,d%n", total);
    }

    private static void printFile(PrintWriter out, SafetensorsFile f, boolean listTensors) {
        Map<DType, Long> perType = new EnumMap<>(DType.class);
        long params = 0;
        for (TensorInfo t : f.tensors().values()) {
            perType.merge(t.dtype(), t.elementCount(), Long::sum);
            params += t.elementCount();
            if (listTensors) {
                out.printf("    %-72s %-5s %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()));
            }
        }
        out.printf("    %d tensors, %,d parameters %s%n", f.tensors().size(), params, perType);
        if (!f.metadata().isEmpty()) {
            out.printf("    metadata: %s%n", f.metadata());
        }
    }
}
