package dev.conceptprune.instruments.nudenet;

/**
 * One NudeNet detection: its class label, score, and box in original-image pixels (left and top may
 * be negative, as NudeNet reports them).
 */
public record NudeNetDetection(String label, double score, int left, int top, int width, int height) {
}
