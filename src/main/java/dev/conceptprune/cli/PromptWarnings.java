package dev.conceptprune.cli;

import dev.conceptprune.clip.ClipTokenizer;
import dev.conceptprune.eval.PromptRow;
import dev.conceptprune.eval.PromptSet;
import dev.conceptprune.model.Component;
import dev.conceptprune.io.Progress;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.PromptPair;
import java.util.List;

/**
 * Warnings about prompts that CLIP's text encoder cuts at its sequence length (77 tokens for SD):
 * the words past the cut have no effect, which a user would not guess from the output. One
 * {@code warning:} line per prompt list, on the command's stderr, before any work.
 */
final class PromptWarnings {
    private static final int SHOWN_CHARS = 80;

    private final ClipTokenizer tokenizer;
    private final Progress progress;

    private PromptWarnings(ClipTokenizer tokenizer, Progress progress) {
        this.tokenizer = tokenizer;
        this.progress = progress;
    }

    /** Warnings through {@code progress} for the prompts as this model's tokenizer cuts them. */
    static PromptWarnings of(ModelSource model, Progress progress) {
        return of(model, Component.TOKENIZER, progress);
    }

    /** As {@link #of(ModelSource, Progress)} with another of the model's tokenizers (SDXL's {@code tokenizer_2}). */
    static PromptWarnings of(ModelSource model, Component tokenizer, Progress progress) {
        return new PromptWarnings(ClipTokenizer.load(model, tokenizer), progress);
    }

    /** Warns when one prompt given by an option is cut. */
    PromptWarnings option(String option, String prompt) {
        if (prompt != null && tokenizer.truncates(prompt)) {
            int tokens = tokenizer.encodeUntruncated(prompt).length;
            warn(option + " is " + tokens + " tokens, longer than CLIP's " + tokenizer.maxLength()
                    + "; the words past token " + tokenizer.maxLength() + " are ignored");
        }
        return this;
    }

    /** Warns once for a list of prompts ({@code what}, e.g. "prompts in FILE") of which some are cut. */
    PromptWarnings list(String what, List<String> prompts) {
        List<String> cut = prompts.stream().filter(tokenizer::truncates).toList();
        if (!cut.isEmpty()) {
            warn(cut.size() + " of " + prompts.size() + " " + what + " are longer than CLIP's "
                    + tokenizer.maxLength() + " tokens and are truncated; the first: \"" + shown(cut.get(0)) + "\"");
        }
        return this;
    }

    /** Warns once for a prompt file's prompts. */
    PromptWarnings file(PromptSet prompts) {
        return list("prompts in " + prompts.file(), prompts.rows().stream().map(PromptRow::prompt).toList());
    }

    /** Warns per concept and side (base, target) whose prompts are cut. */
    PromptWarnings concepts(List<Concept> concepts) {
        for (Concept c : concepts) {
            list("base prompts of concept " + c.name(), c.pairs().stream().map(PromptPair::base).toList());
            list("target prompts of concept " + c.name(), c.pairs().stream().map(PromptPair::target).toList());
        }
        return this;
    }

    private void warn(String message) {
        progress.warn(message);
    }

    private static String shown(String prompt) {
        String oneLine = prompt.replace('\n', ' ');
        return oneLine.length() <= SHOWN_CHARS ? oneLine : oneLine.substring(0, SHOWN_CHARS) + "...";
    }
}
