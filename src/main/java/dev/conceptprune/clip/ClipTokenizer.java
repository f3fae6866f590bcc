package dev.conceptprune.clip;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.conceptprune.model.Component;
import dev.conceptprune.io.Config;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.WeightFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The CLIP byte-level BPE tokenizer of a Stable Diffusion pipeline, reproducing the slow transformers
 * {@code CLIPTokenizer} (without ftfy) id for id, so prompts give the same text embeddings as in diffusers.
 * Thread-safe.
 */
public final class ClipTokenizer {
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    /** transformers reads no more merges than the original CLIP vocabulary has room for. */
    private static final int MAX_MERGES = 49152 - 256 - 2;
    private static final String END_OF_WORD = "</w>";
    /** Bounds the memory of the per-piece cache when many distinct prompts are encoded. */
    private static final int CACHE_LIMIT = 100_000;
    private static final char[] BYTE_TO_CHAR = byteToChar();

    private final Map<String, Integer> ids;
    private final int vocabSize;
    private final Map<String, Integer> mergeRanks;
    private final Pattern addedTokens;
    private final String bosToken;
    private final String eosToken;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final int maxLength;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();
    /** The reverse vocabulary, built when {@link #decode} is first asked. */
    private volatile Map<Integer, String> tokensById;

    private ClipTokenizer(Map<String, Integer> ids, int vocabSize, Map<String, Integer> mergeRanks,
                          Set<String> addedTokens, String bosToken, String eosToken, String padToken,
                          String unkToken, int maxLength) {
        this.ids = ids;
        this.vocabSize = vocabSize;
        this.mergeRanks = mergeRanks;
        // Longest first, so that of two added tokens starting at one position the longer one wins.
        this.addedTokens = Pattern.compile(addedTokens.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote)
                .collect(Collectors.joining("|")));
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.bosId = ids.get(bosToken);
        this.eosId = ids.get(eosToken);
        this.padId = ids.get(padToken);
        this.unkId = ids.get(unkToken);
        this.maxLength = maxLength;
        // CLIPTokenizer seeds its BPE cache with these two, so they stay whole wherever the regex finds them.
        for (String special : List.of("<|startoftext|>", "<|endoftext|>")) {
            cache.put(special, List.of(special));
        }
    }

    /** Where the tokenizer's files come from: a folder, or a model source's component. */
    private interface TokenizerFiles {
        /** The file's text, or empty when there is no such file; IOException when it cannot be read. */
        Optional<String> text(String name) throws IOException;

        /** Where the file is, for messages. */
        Path where(String name);
    }

    /**
     * Loads a tokenizer folder ({@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json} and,
     * if present, {@code special_tokens_map.json}), in either the legacy or the current transformers layout.
     *
     * @throws WeightFormatException naming the file when one is missing or malformed
     */
    public static ClipTokenizer load(Path tokenizerDir) {
        return load(new TokenizerFiles() {
            @Override
            public Optional<String> text(String name) throws IOException {
                try {
                    return Optional.of(Files.readString(tokenizerDir.resolve(name), StandardCharsets.UTF_8));
                } catch (NoSuchFileException e) {
                    return Optional.empty();
                }
            }

            @Override
            public Path where(String name) {
                return tokenizerDir.resolve(name);
            }
        });
    }

    /** Loads the tokenizer {@code component} of a model from the files the source serves, as {@link #load(Path)}. */
    public static ClipTokenizer load(ModelSource source, Component component) {
        return load(new TokenizerFiles() {
            @Override
            public Optional<String> text(String name) throws IOException {
                try {
                    Optional<byte[]> bytes = source.file(component, name);
                    if (bytes.isEmpty()) {
                        return Optional.empty();
                    }
                    // Strict decoding, as Files.readString: malformed UTF-8 is an error, not replaced.
                    return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.get()))
                            .toString());
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }

            @Override
            public Path where(String name) {
                return source.fileLocation(component, name);
            }
        });
    }

    private static ClipTokenizer load(TokenizerFiles files) {
        Map<String, Integer> vocab = readVocab(files, "vocab.json");
        Map<String, Integer> ranks = readMerges(files, "merges.txt", vocab);
        Path vocabFile = files.where("vocab.json");
        for (char c : BYTE_TO_CHAR) {
            for (String symbol : List.of(String.valueOf(c), c + END_OF_WORD)) {
                if (!vocab.containsKey(symbol)) {
                    throw new WeightFormatException(vocabFile, "byte symbol '" + symbol + "' is missing");
                }
            }
        }

        Config config = readConfig(files, "tokenizer_config.json");
        Map<String, Integer> ids = new HashMap<>(vocab);
        Set<String> added = new LinkedHashSet<>();
        boolean legacy = !config.has("added_tokens_decoder");
        if (!legacy) {
            readAddedTokens(config, ids, added);
        }
        Path mapFile = files.where("special_tokens_map.json");
        // As in transformers: the map file overrides the config only in the legacy layout.
        Config overrides = legacy ? optionalConfig(files, "special_tokens_map.json")
                : new Config(mapFile, new JsonObject());
        String bos = specialToken(config, overrides, "bos_token", "<|startoftext|>", ids);
        String eos = specialToken(config, overrides, "eos_token", "<|endoftext|>", ids);
        String pad = specialToken(config, overrides, "pad_token", "<|endoftext|>", ids);
        String unk = specialToken(config, overrides, "unk_token", "<|endoftext|>", ids);
        // Special tokens split the text wherever they occur, even one like SD 2's pad token "!".
        added.addAll(List.of(bos, eos, pad, unk));

        int maxLength = config.getInt("model_max_length", 77);
        if (maxLength < 2) {
            throw config.error("model_max_length " + maxLength + " leaves no room for the start and end tokens");
        }
        return new ClipTokenizer(ids, vocab.size(), ranks, added, bos, eos, pad, unk, maxLength);
    }

    /**
     * The ids a pipeline feeds the text encoder: start token, at most {@code maxLength() - 2} content tokens,
     * end token, then pad tokens up to {@code maxLength()}.
     */
    public int[] encode(String prompt) {
        List<String> content = contentTokens(prompt);
        int kept = Math.min(content.size(), maxLength - 2);
        int[] out = new int[maxLength];
        Arrays.fill(out, padId);
        out[0] = bosId;
        for (int i = 0; i < kept; i++) {
            out[i + 1] = idOf(content.get(i));
        }
        out[kept + 1] = eosId;
        return out;
    }

    /** All ids of a prompt, start and end token included, without truncation or padding: shows what would be cut. */
    public int[] encodeUntruncated(String prompt) {
        return tokens(prompt).stream().mapToInt(this::idOf).toArray();
    }

    /** True when {@link #encode} cuts the prompt: it has more content tokens than fit between start and end. */
    public boolean truncates(String prompt) {
        return contentTokens(prompt).size() > maxLength - 2;
    }

    /**
     * The token strings of {@link #encodeUntruncated}, start and end token included, in CLIP's byte-level
     * alphabet with {@code </w>} closing each word: shows how a concept word is split.
     */
    public List<String> tokens(String prompt) {
        List<String> out = new ArrayList<>();
        out.add(bosToken);
        out.addAll(contentTokens(prompt));
        out.add(eosToken);
        return out;
    }

    /** The padded sequence length ({@code model_max_length}), 77 for Stable Diffusion. */
    public int maxLength() {
        return maxLength;
    }

    /** Id of the start-of-text token. */
    public int bosId() {
        return bosId;
    }

    /** Id of the end-of-text token; the text encoder pools at its first occurrence. */
    public int eosId() {
        return eosId;
    }

    /** Id of the padding token: the end token in SD 1.x, {@code "!"} (0) in SD 2.x. */
    public int padId() {
        return padId;
    }

    /** Number of entries in {@code vocab.json}, to check against the text encoder's embedding table. */
    public int vocabSize() {
        return vocabSize;
    }

    private int idOf(String token) {
        return ids.getOrDefault(token, unkId);
    }

    /**
     * The text of content token ids: byte-level symbols back to UTF-8, each {@code </w>} a word break, start,
     * end and pad tokens left out (transformers' decode without its clean-up of spaces before punctuation). Encoding the result again may
     * split it differently (BPE merges), which is why an attack records the text it actually used.
     */
    public String decode(int[] tokenIds) {
        Map<Integer, String> byId = tokensById();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : tokenIds) {
            if (id == bosId || id == eosId || id == padId) {
                continue;
            }
            String token = byId.get(id);
            if (token == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
            }
            boolean wordEnd = token.endsWith(END_OF_WORD);
            String symbols = wordEnd ? token.substring(0, token.length() - END_OF_WORD.length()) : token;
            for (int i = 0; i < symbols.length(); i++) {
                int b = byteOf(symbols.charAt(i));
                if (b < 0) {
                    bytes.writeBytes(String.valueOf(symbols.charAt(i)).getBytes(StandardCharsets.UTF_8));
                } else {
                    bytes.write(b);
                }
            }
            if (wordEnd) {
                bytes.write(' ');
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).trim();
    }

    private Map<Integer, String> tokensById() {
        Map<Integer, String> m = tokensById;
        if (m == null) {
            m = new HashMap<>();
            for (Map.Entry<String, Integer> e : ids.entrySet()) {
                m.putIfAbsent(e.getValue(), e.getKey());
            }
            tokensById = m;
        }
        return m;
    }

    private static int byteOf(char c) {
        for (int b = 0; b < BYTE_TO_CHAR.length; b++) {
            if (BYTE_TO_CHAR[b] == c) {
                return b;
            }
        }
        return -1;
    }

    /** Added tokens are cut out of the raw prompt first; only the text between them is cleaned and BPE-split. */
    private List<String> contentTokens(String prompt) {
        List<String> out = new ArrayList<>();
        Matcher m = addedTokens.matcher(prompt);
        int start = 0;
        while (m.find()) {
            bpeText(prompt.substring(start, m.start()), out);
            out.add(m.group());
            start = m.end();
        }
        bpeText(prompt.substring(start), out);
        return out;
    }

    private void bpeText(String text, List<String> out) {
        Matcher m = PIECES.matcher(BasicTextCleaner.clean(text));
        while (m.find()) {
            byte[] utf8 = m.group().getBytes(StandardCharsets.UTF_8);
            char[] chars = new char[utf8.length];
            for (int i = 0; i < utf8.length; i++) {
                chars[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
            }
            out.addAll(bpe(new String(chars)));
        }
    }

    private List<String> bpe(String piece) {
        List<String> cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(piece.length());
        for (int i = 0; i < piece.length() - 1; i++) {
            word.add(String.valueOf(piece.charAt(i)));
        }
        word.add(piece.charAt(piece.length() - 1) + END_OF_WORD);
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = mergeRanks.get(word.get(i) + ' ' + word.get(i + 1));
                if (rank != null && rank < best) {
                    best = rank;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            // Every non-overlapping occurrence of the best pair merges in one step, left to right.
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(word.get(i));
                }
            }
            word = merged;
        }
        List<String> result = List.copyOf(word);
        if (cache.size() < CACHE_LIMIT) {
            cache.put(piece, result);
        }
        return result;
    }

    /** GPT-2's reversible map from bytes to printable characters, so no BPE symbol is whitespace or control. */
    private static char[] byteToChar() {
        char[] table = new char[256];
        char next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : next++;
        }
        return table;
    }

    private static Config readConfig(TokenizerFiles files, String name) {
        Path file = files.where(name);
        try {
            return Config.parse(file, files.text(name).orElseThrow(
                    () -> new WeightFormatException(file, "config file not found")));
        } catch (IOException e) {
            throw new WeightFormatException(file, "cannot read config: " + e.getMessage());
        }
    }

    private static Config optionalConfig(TokenizerFiles files, String name) {
        Path file = files.where(name);
        try {
            Optional<String> text = files.text(name);
            return text.isPresent() ? Config.parse(file, text.get()) : new Config(file, new JsonObject());
        } catch (IOException e) {
            throw new WeightFormatException(file, "cannot read config: " + e.getMessage());
        }
    }

    private static Map<String, Integer> readVocab(TokenizerFiles files, String name) {
        Path file = files.where(name);
        JsonElement json;
        try {
            json = JsonParser.parseString(files.text(name).orElseThrow(
                    () -> new WeightFormatException(file, "vocabulary file not found")));
        } catch (IOException e) {
            throw new WeightFormatException(file, "cannot read vocabulary: " + e.getMessage());
        } catch (JsonParseException | StackOverflowError e) {
            throw new WeightFormatException(file, "vocabulary is not valid JSON");
        }
        if (!json.isJsonObject()) {
            throw new WeightFormatException(file, "vocabulary is not a JSON object of token to id");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : json.getAsJsonObject().entrySet()) {
            vocab.put(e.getKey(), tokenId(file, e.getKey(), e.getValue()));
        }
        return vocab;
    }

    private static int tokenId(Path file, String token, JsonElement value) {
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
            double d = value.getAsDouble();
            if (d == Math.rint(d) && d >= 0 && d <= Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        throw new WeightFormatException(file, "token '" + token + "' has id " + value + ", not a non-negative integer");
    }

    /** Merge pair {@code "a b"} to rank; the first line ({@code #version}) is skipped as transformers does. */
    private static Map<String, Integer> readMerges(TokenizerFiles files, String name, Map<String, Integer> vocab) {
        Path file = files.where(name);
        String text;
        try {
            text = files.text(name).orElseThrow(() -> new WeightFormatException(file, "merges file not found"));
        } catch (IOException e) {
            throw new WeightFormatException(file, "cannot read merges: " + e.getMessage());
        }
        String[] lines = text.strip().split("\n");
        int count = Math.min(lines.length - 1, MAX_MERGES);
        Map<String, Integer> ranks = new HashMap<>(count * 2);
        for (int rank = 0; rank < count; rank++) {
            String[] pair = lines[rank + 1].trim().split("\\s+");
            int lineNo = rank + 2;
            if (pair.length != 2) {
                throw new WeightFormatException(file, "line " + lineNo + " is not two space-separated tokens: '"
                        + lines[rank + 1].strip() + "'");
            }
            if (!vocab.containsKey(pair[0] + pair[1])) {
                throw new WeightFormatException(file, "line " + lineNo + ": merge result '" + pair[0] + pair[1]
                        + "' is not in vocab.json");
            }
            ranks.put(pair[0] + ' ' + pair[1], rank);
        }
        return ranks;
    }

    /** Registers the {@code added_tokens_decoder} entries ({@code "id": {"content": ...}}) of the current layout. */
    private static void readAddedTokens(Config config, Map<String, Integer> ids, Set<String> added) {
        JsonElement decoder = config.json().get("added_tokens_decoder");
        if (!decoder.isJsonObject()) {
            throw config.error("added_tokens_decoder is not a JSON object");
        }
        for (Map.Entry<String, JsonElement> e : decoder.getAsJsonObject().entrySet()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw config.error("added_tokens_decoder key '" + e.getKey() + "' is not an integer id");
            }
            String content = tokenContent(config, "added_tokens_decoder." + e.getKey(), e.getValue());
            if (content == null) {
                throw config.error("added_tokens_decoder." + e.getKey() + " has no content");
            }
            ids.put(content, id);
            added.add(content);
        }
    }

    /** A special token's string: from the override map if set there, else the config, else CLIP's default. */
    private static String specialToken(Config config, Config overrides, String key, String fallback,
                                       Map<String, Integer> ids) {
        String token = tokenContent(overrides, key, overrides.json().get(key));
        if (token == null) {
            token = tokenContent(config, key, config.json().get(key));
        }
        if (token == null) {
            token = fallback;
        }
        if (!ids.containsKey(token)) {
            throw config.error(key + " '" + token + "' is not in vocab.json");
        }
        return token;
    }

    /** A token given as a plain string or as an AddedToken object with a "content" string; null when absent. */
    private static String tokenContent(Config source, String key, JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            return value.getAsString();
        }
        if (value.isJsonObject()) {
            JsonElement content = value.getAsJsonObject().get("content");
            if (content != null && content.isJsonPrimitive() && content.getAsJsonPrimitive().isString()) {
                return content.getAsString();
            }
        }
        throw source.error(key + " must be a string or an object with a \"content\" string, found " + value);
    }
}
