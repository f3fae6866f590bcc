package dev.conceptprune.toyworld;

import dev.conceptprune.prune.PruneSite;
import java.util.Locale;

/** One pruning setting the demo measures. */
public record DemoSetting(PruneSite site, double skillRatio, int tau) {
    /** How tables and plots name the setting. */
    public String label() {
        return String.format(Locale.ROOT, "%s r=%s tau=%d", site.id(), skillRatio, tau);
    }

    /** How file names carry the setting. */
    public String slug() {
        return String.format(Locale.ROOT, "%s-r%s-t%d", site.id(), skillRatio, tau);
    }
}
