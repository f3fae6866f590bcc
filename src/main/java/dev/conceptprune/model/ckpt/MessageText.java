package dev.conceptprune.model.ckpt;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How values and names read from a checkpoint appear in messages. Names come from the file, so
 * control and line-separator characters are escaped and the length is bounded: a hostile name
 * cannot break the one-line rule.
 */
final class MessageText {
    private static final int MAX_NAME = 200;

    private MessageText() {
    }

    /** {@code 'name'}, escaped and shortened. */
    static String quote(String s) {
        return "'" + escape(s) + "'";
    }

    /** The text with control and line-separator characters escaped, cut after 200 characters. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < MAX_NAME; i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(s.length() > MAX_NAME ? "..." : "").toString();
    }

    /** What kind of value this is ("a dict", "a tuple of 3", "torch.HalfStorage", ...). */
    static String describe(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof PickleGlobal g) {
            return g.dotted();
        }
        if (v instanceof String s) {
            return "the string " + quote(s);
        }
        if (v instanceof PickleTuple t) {
            return "a tuple of " + t.size();
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Map) {
            return "a dict";
        }
        if (v instanceof StorageRef) {
            return "a storage";
        }
        if (v instanceof TensorRef) {
            return "a tensor";
        }
        return "a " + v.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
