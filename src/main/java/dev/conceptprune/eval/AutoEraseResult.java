package dev.conceptprune.eval;

import com.google.gson.JsonParseException;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.metrics.Rate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code erase --auto} measured and chose ({@code auto.json}).
 *
 * @param detector the judge's name
 * @param conceptLabel its label of the concept
 * @param maxTarget the constraint on {@link Figures#concept}
 * @param minPreserve the constraint on {@link Figures#preserved}
 * @param base the base model's figures (its preservation is 1 by definition)
 * @param candidates every candidate tried, in the order tried
 * @param notTried candidates left out when the time budget ran out
 * @param chosen the chosen candidate's label, or null when none was tried
 * @param constraintsMet whether the chosen one meets both constraints
 * @param wallSeconds the whole search
 */
public record AutoEraseResult(String detector, String conceptLabel, double maxTarget, double minPreserve, Figures base,
                              List<CandidateResult> candidates, List<String> notTried, String chosen,
                              boolean constraintsMet, double wallSeconds) {
    /**
     * Reads an {@code auto.json} that {@code erase --auto} wrote.
     *
     * @throws InputException naming the file when it is missing or not such a result
     */
    public static AutoEraseResult read(Path file) {
        try {
            AutoEraseResult r = Json.compact().fromJson(Files.readString(file, StandardCharsets.UTF_8),
                    AutoEraseResult.class);
            if (r == null || r.candidates() == null) {
                throw new InputException(file + ": not a result of erase --auto (no candidates)");
            }
            return r;
        } catch (NoSuchFileException e) {
            throw new InputException(file + " does not exist");
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage());
        } catch (JsonParseException e) {
            throw new InputException(file + ": not a result of erase --auto (" + e.getMessage() + ")");
        }
    }

    /** The chosen candidate; empty when none was tried. */
    public Optional<CandidateResult> chosenCandidate() {
        return candidates.stream().filter(c -> c.label().equals(chosen)).findFirst();
    }

    /**
     * A model's figures on the validation prompts, each with n and its 95% Wilson interval.
     *
     * @param concept rows with a neutral prompt whose image shows the concept (lower is better)
     * @param neutral those rows whose verdict equals the base model's verdict on the neutral prompt's image
     * @param preserved rows without a neutral prompt whose verdict equals the base model's on the same row
     */
    public record Figures(Rate concept, Rate neutral, Rate preserved) {
    }

    /**
     * One candidate.
     *
     * @param frontier no other candidate is at least as good on all three figures and better on one
     * @param meetsConstraints its concept share is at most maxTarget and its preservation at least minPreserve
     */
    public record CandidateResult(String label, String site, double skillRatio, int tau, String fill, long pruned,
                                  String mask, Figures figures, boolean meetsConstraints, boolean frontier,
                                  double seconds) {
    }
}
