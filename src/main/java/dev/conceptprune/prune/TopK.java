package dev.conceptprune.prune;

/**
 * Indices of the k largest scores in the order a stable descending sort would give them:
 * larger score first, and among equal scores the lower index first. A bounded heap keeps
 * this O(n log k), since k is about 1% of a row.
 */
final class TopK {
    private TopK() {
    }

    /** Fills {@code out} (length >= k) with the top-k indices (unordered); returns their count. */
    static int select(float[] scores, int k, int[] out) {
        int n = Math.min(k, scores.length);
        int size = 0;
        for (int j = 0; j < scores.length; j++) {
            if (size < n) {
                out[size] = j;
                siftUp(scores, out, size++);
            } else if (before(scores, j, out[0])) {
                out[0] = j;
                siftDown(scores, out, size);
            }
        }
        return size;
    }

    /** True when index a ranks before index b in a stable descending sort. */
    private static boolean before(float[] s, int a, int b) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
    }

    private static void siftUp(float[] s, int[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!before(s, heap[parent], heap[i])) {
                break;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(float[] s, int[] heap, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int last = i;
            if (l < size && before(s, heap[last], heap[l])) {
                last = l;
            }
            if (r < size && before(s, heap[last], heap[r])) {
                last = r;
            }
            if (last == i) {
                return;
            }
            swap(heap, i, last);
            i = last;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
