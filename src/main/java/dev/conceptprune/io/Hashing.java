package dev.conceptprune.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one digest of the project, as lowercase hex. */
public final class Hashing {
    private static final int BUFFER = 1 << 20;

    private Hashing() {
    }

    /** A fresh SHA-256 digest, for callers that feed it piece by piece. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Hex of a digest's result; completes the digest. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 of a text's UTF-8 bytes. */
    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 of bytes. */
    public static String sha256(byte[] bytes) {
        MessageDigest d = sha256();
        d.update(bytes);
        return hex(d);
    }

    /** SHA-256 of everything a stream yields; the caller closes the stream. */
    public static String sha256(InputStream in) throws IOException {
        MessageDigest d = sha256();
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = in.read(buffer)) > 0; ) {
            d.update(buffer, 0, n);
        }
        return hex(d);
    }

    /** SHA-256 of a file's bytes. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
