package dev.conceptprune.clip;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The text cleanup the slow transformers {@code CLIPTokenizer} applies when ftfy is not installed: BERT's
 * {@code BasicTokenizer} with lower casing, accents kept and no punctuation splitting. Prompts must be cleaned
 * exactly this way or the ids, and so the text embeddings, differ from the reference pipeline.
 */
final class BasicTextCleaner {
    private BasicTextCleaner() {
    }

    /** Returns the cleaned, lower-cased words of {@code text} joined by single spaces. */
    static String clean(String text) {
        StringBuilder spaced = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                spaced.append(' ');
            } else if (isCjkIdeograph(cp)) {
                spaced.append(' ').appendCodePoint(cp).append(' ');
            } else {
                spaced.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(spaced, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(normalized.length());
        for (String word : normalized.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append(' ');
            }
            // Lower-cased per word, as BERT does; this only matters for the context-dependent final sigma.
            out.append(word.toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    /** BERT drops every "C*" category character (control, format, unassigned, private use, surrogate). */
    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    /**
     * BERT's whitespace (space, tab, newline, return and the Zs category), plus the line and paragraph
     * separators, which survive BERT's cleanup but are then split on by Python's {@code str.split()}.
     */
    private static boolean isWhitespace(int cp) {
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** BERT's "Chinese character" blocks: CJK ideographs only, so kana and hangul stay joined. */
    private static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
