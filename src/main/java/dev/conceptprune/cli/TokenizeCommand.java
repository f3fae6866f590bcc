package dev.conceptprune.cli;

import com.google.gson.Gson;
import dev.conceptprune.clip.ClipTokenizer;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints the CLIP token ids of a prompt as the pipeline feeds them to the text encoder. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the CLIP token ids of a prompt as JSON.",
            "",
            "The ids are padded or truncated to the tokenizer's maximum length, as the pipeline feeds them to the "
                    + "text encoder.",
            ""})
public final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Model folder (or its tokenizer folder). Default: the embedded toy-world model.")
    Path model;

    @Option(names = "--tokens", description = "Also print the BPE token strings and the untruncated ids.")
    boolean verbose;

    @Parameters(paramLabel = "PROMPT", description = "The prompt.")
    String prompt;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path dir = model == null ? DefaultModel.model() : model;
        Path tokDir = Files.exists(dir.resolve("model_index.json"))
                ? DiffusersFolder.open(dir).componentDir(Component.TOKENIZER) : dir;
        ClipTokenizer tok = ClipTokenizer.load(tokDir);
        Gson gson = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();
        if (verbose) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("input_ids", tok.encode(prompt));
            out.put("untruncated_ids", tok.encodeUntruncated(prompt));
            out.put("tokens", tok.tokens(prompt));
            spec.commandLine().getOut().println(gson.toJson(out));
        } else {
            spec.commandLine().getOut().println(gson.toJson(tok.encode(prompt)));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
