package dev.conceptprune.attack;

import dev.conceptprune.io.Progress;
import java.util.List;
import java.util.Locale;

/**
 * Where the prompts of an attack are attacked: in this process ({@link #LOCAL}) or by an engine that
 * spreads them over workers. Every worker attacks through a {@link PromptAttacker} and writes into the
 * same folder, so the images and records are the same whichever ran.
 */
public interface AttackExecution extends AutoCloseable {
    /** One worker in this process, prompt after prompt. */
    AttackExecution LOCAL = (plan, pending, task) -> {
        try (PromptAttacker attacker = plan.open()) {
            for (int i : pending) {
                PromptAttackRow row = attacker.attack(i);
                task.detail(String.format(Locale.ROOT, "%s: %s", row.adversarialPrompt(),
                        row.detected() == null ? "no detector" : row.detected()));
                task.advance(1);
            }
        }
    };

    /** Attacks the prompts of {@code plan} at the indices {@code pending}, counting each in {@code task}. */
    void attack(PromptAttackPlan plan, List<Integer> pending, Progress.Task task);

    /** Releases the engine's workers; nothing for the local one. */
    @Override
    default void close() {
    }
}
