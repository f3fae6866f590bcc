package dev.conceptprune.prune;

import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.PromptFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A concept to erase with the prompt pairs that expose it, built from the authors' templates
 * (METHOD.md) and word lists, or from the user's own prompt files.
 */
public record Concept(String name, String kind, List<PromptPair> pairs, double defaultSkillRatio) {

    /** Default skill ratio of the paper for everything but objects. */
    public static final double SKILL_RATIO = 0.01;

    /** Longest slug in UTF-8 bytes: room for the mask and checkpoint suffixes within a 255-byte file name. */
    static final int MAX_SLUG_BYTES = 160;

    /** Refuses pairs that cannot contrast anything: a mask found from them would prune no weight. */
    public Concept {
        pairs = List.copyOf(pairs);
        if (!pairs.isEmpty() && pairs.stream().allMatch(p -> p.base().equals(p.target()))) {
            throw new InputException("base and target prompts are identical for concept " + name
                    + "; nothing to contrast");
        }
    }

    /**
     * The concept's name in output file names: lower-cased and NFC-normalised, accents of Latin
     * letters dropped ({@code Café Ñ} gives {@code cafe-n}), letters and digits of every other script
     * kept, every other run of characters one hyphen; {@code concept} when nothing is left.
     */
    public String slug() {
        return slug(name);
    }

    static String slug(String name) {
        String decomposed = Normalizer.normalize(name, Normalizer.Form.NFD);
        StringBuilder kept = new StringBuilder();
        boolean latinBase = false;
        for (int i = 0; i < decomposed.length(); ) {
            int cp = decomposed.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                    || type == Character.ENCLOSING_MARK;
            if (mark) {
                // Marks on Latin letters are accents to transliterate away; elsewhere (Devanagari vowel
                // signs, say) they are part of the letter and stay.
                if (!latinBase) {
                    kept.appendCodePoint(cp);
                }
            } else if (Character.isLetterOrDigit(cp)) {
                latinBase = Character.UnicodeScript.of(cp) == Character.UnicodeScript.LATIN;
                kept.appendCodePoint(cp);
            } else {
                latinBase = false;
                kept.append('-');
            }
        }
        String s = Normalizer.normalize(kept.toString(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT)
                .replaceAll("-{2,}", "-").replaceAll("(^-|-$)", "");
        s = truncateUtf8(s, MAX_SLUG_BYTES).replaceAll("-$", "");
        return s.isEmpty() ? "concept" : s;
    }

    /**
     * Refuses concepts that would overwrite each other's output files: the same concept twice (same
     * kind, same name ignoring case, spacing and punctuation), or different concepts whose names give
     * the same {@link #slug()}.
     */
    public static void requireDistinct(List<Concept> concepts) {
        Map<String, Concept> byIdentity = new HashMap<>();
        Map<String, Concept> bySlug = new HashMap<>();
        for (Concept c : concepts) {
            Concept same = byIdentity.putIfAbsent(c.kind + "\u0000" + identity(c.name), c);
            if (same != null) {
                throw new InputException("the " + c.kind + " concept '" + same.name + "' is given twice (as '"
                        + same.name + "' and '" + c.name + "'); name it once");
            }
            Concept clash = bySlug.putIfAbsent(c.slug(), c);
            if (clash != null) {
                throw new InputException("concepts '" + clash.name + "' (" + clash.kind + ") and '" + c.name + "' ("
                        + c.kind + ") would both write " + c.slug() + ".mask.safetensors; rename one");
            }
        }
    }

    /** The name as a user means it: case, spacing, punctuation and accents ignored. */
    private static String identity(String name) {
        String n = Normalizer.normalize(name, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder();
        n.codePoints().filter(Character::isLetterOrDigit).forEach(b::appendCodePoint);
        return b.toString();
    }

    private static String truncateUtf8(String s, int maxBytes) {
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxBytes) {
                return s.substring(0, i);
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s;
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

    /** Memorised image: the empty prompt vs each memorised caption of the file (read by {@link PromptFile}). */
    public static Concept memorized(Path captions, long seed) {
        List<PromptPair> pairs = new ArrayList<>();
        for (String c : PromptFile.read(captions).prompts()) {
            pairs.add(new PromptPair("", c, seed));
        }
        return new Concept("memorized-" + stripExtension(captions), "memorized", pairs, SKILL_RATIO);
    }

    /**
     * The user's own prompt files (read by {@link PromptFile}), paired in order; both must hold the same
     * number of prompts.
     */
    public static Concept fromFiles(Path basePrompts, Path targetPrompts, String name, long seed) {
        List<String> base = PromptFile.read(basePrompts).prompts();
        List<String> target = PromptFile.read(targetPrompts).prompts();
        if (base.size() != target.size()) {
            throw new InputException("the base prompts (" + basePrompts + ") are " + base.size()
                    + " but the target prompts (" + targetPrompts + ") " + target.size() + "; they are paired in order");
        }
        List<PromptPair> pairs = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            pairs.add(new PromptPair(base.get(i), target.get(i), seed));
        }
        return new Concept(name == null ? stripExtension(targetPrompts) : name, "prompts", pairs, SKILL_RATIO);
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
