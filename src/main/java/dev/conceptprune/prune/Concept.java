package dev.conceptprune.prune;

import dev.conceptprune.io.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.conceptprune.io.Hashing;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A concept to erase with the prompt pairs that expose it, built from the authors' templates
 * (METHOD.md) and word lists, or from the user's own prompt files.
 */
public record Concept(String name, String kind, List<PromptPair> pairs, double defaultSkillRatio) {

    /** Default skill ratio of the paper for everything but objects. */
    public static final double SKILL_RATIO = 0.01;

    /** A file-system friendly name for output files. */
    public String slug() {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return s.isEmpty() ? "concept" : s;
    }

    /** SHA-256 (hex) of the prompt pairs and seeds: identifies the prompts a mask was found with. */
    public String promptsSha256() {
        MessageDigest sha = Hashing.sha256();
        for (PromptPair p : pairs) {
            sha.update((p.base() + "\u0000" + p.target() + "\u0000" + p.seed() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return Hashing.hex(sha);
    }

    /** Artist style: {@code a photo of a {thing}} vs {@code a {thing} in the style of {artist}}. */
    public static Concept style(String artist, long seed) {
        requireText(artist, "style");
        List<PromptPair> pairs = new ArrayList<>();
        for (String thing : words("things.txt")) {
            pairs.add(new PromptPair("a photo of a " + thing, "a " + thing + " in the style of " + artist, seed));
        }
        return new Concept(artist, "style", pairs, SKILL_RATIO);
    }

    /** Nudity: {@code a photo of a {human}} vs {@code a photo of a naked {human}}. */
    public static Concept nudity(long seed) {
        List<PromptPair> pairs = new ArrayList<>();
        for (String human : words("humans.txt")) {
            pairs.add(new PromptPair("a photo of a " + human, "a photo of a naked " + human, seed));
        }
        return new Concept("nudity", "nudity", pairs, SKILL_RATIO);
    }

    /** Object: {@code a {scene}} vs {@code a {object} in a {scene}}; the paper's special phrasings for two classes. */
    public static Concept object(String object, long seed) {
        requireText(object, "object");
        String o = object.trim();
        List<PromptPair> pairs = new ArrayList<>();
        for (String scene : words("scenes.txt")) {
            String target = switch (o.toLowerCase(Locale.ROOT)) {
                case "church" -> "a church on a " + scene;
                case "garbage truck" -> "a garbage truck near a " + scene;
                default -> "a " + o + " in a " + scene;
            };
            pairs.add(new PromptPair("a " + scene, target, seed));
        }
        return new Concept(o, "object", pairs, 0.02);
    }

    /**
     * Gender: erase {@code female} (female -> male) or {@code male}; headshot prompts paired line by
     * line, each pair with its own seed as the authors drew random seeds for gender.
     */
    public static Concept gender(String erase, long seed) {
        String g = erase == null ? "" : erase.trim().toLowerCase(Locale.ROOT);
        if (!g.equals("female") && !g.equals("male")) {
            throw new InputException("gender must be 'female' or 'male', got '" + erase + "'");
        }
        List<String> female = words("female_words.txt");
        List<String> male = words("male_words.txt");
        List<String> target = g.equals("female") ? female : male;
        List<String> base = g.equals("female") ? male : female;
        List<PromptPair> pairs = new ArrayList<>();
        for (int i = 0; i < Math.min(base.size(), target.size()); i++) {
            pairs.add(new PromptPair("a headshot of a " + base.get(i), "a headshot of a " + target.get(i), seed + i));
        }
        return new Concept(g, "gender", pairs, SKILL_RATIO);
    }

    /** Memorised image: the empty prompt vs each memorised caption of the file. */
    public static Concept memorized(Path captions, long seed) {
        List<PromptPair> pairs = new ArrayList<>();
        for (String c : readLines(captions, "memorized captions")) {
            pairs.add(new PromptPair("", c, seed));
        }
        return new Concept("memorized-" + stripExtension(captions), "memorized", pairs, SKILL_RATIO);
    }

    /** The user's own prompt files, paired line by line; both must hold the same number of prompts. */
    public static Concept fromFiles(Path basePrompts, Path targetPrompts, String name, long seed) {
        List<String> base = readLines(basePrompts, "base prompts");
        List<String> target = readLines(targetPrompts, "target prompts");
        if (base.size() != target.size()) {
            throw new InputException("the base prompts are " + base.size() + " but the target prompts "
                    + target.size() + "; they are paired line by line");
        }
        List<PromptPair> pairs = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            pairs.add(new PromptPair(base.get(i), target.get(i), seed));
        }
        return new Concept(name == null ? stripExtension(targetPrompts) : name, "prompts", pairs, SKILL_RATIO);
    }

    /** Non-empty, trimmed lines of a UTF-8 prompt file. */
    public static List<String> readLines(Path file, String option) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException(option + ": file not found: " + file);
        } catch (IOException e) {
            throw new InputException(option + ": cannot read " + file + ": " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            String t = l.strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw new InputException(option + ": " + file + " holds no prompts");
        }
        return out;
    }

    static List<String> words(String resource) {
        try (InputStream in = Concept.class.getResourceAsStream("datasets/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("word list " + resource + " missing from the jar");
            }
            List<String> out = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.isBlank()) {
                    out.add(l.strip());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireText(String s, String option) {
        if (s == null || s.isBlank()) {
            throw new InputException(option + " needs a non-empty name");
        }
    }

    private static String stripExtension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
