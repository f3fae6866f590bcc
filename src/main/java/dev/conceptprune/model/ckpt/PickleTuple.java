package dev.conceptprune.model.ckpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A Python tuple from a pickle: immutable, so it may serve as a dict key. Items may be null (None). */
record PickleTuple(List<Object> items) {
    PickleTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    int size() {
        return items.size();
    }

    Object get(int i) {
        return items.get(i);
    }
}
