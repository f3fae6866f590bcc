package dev.conceptprune.scheduler;

/** Argument checks shared by the schedulers' per-call methods. */
final class Calls {
    private Calls() {
    }

    /** The run must be prepared and the call index inside it. */
    static void check(int call, int calls) {
        if (calls == 0) {
            throw new IllegalStateException("setTimesteps must be called before the scheduler is used");
        }
        if (call < 0 || call >= calls) {
            throw new IllegalArgumentException("call index " + call + " is outside the run's " + calls + " calls");
        }
    }

    static void check(int call, int calls, float[] modelOutput, float[] sample) {
        check(call, calls);
        if (modelOutput.length != sample.length) {
            throw new IllegalArgumentException("model output has " + modelOutput.length + " values, the sample "
                    + sample.length);
        }
    }

    /** Multistep schedulers keep history, so their calls must come one after another from 0. */
    static void inOrder(int call, int expected) {
        if (call != expected) {
            throw new IllegalStateException("multistep scheduler: expected call " + expected + ", got " + call
                    + " (steps must be taken in order; setTimesteps starts over)");
        }
    }
}
