package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every diffusers parameter of one component and where it lies in the file, looked up either way:
 * by diffusers name to present the file as the component, by stored name to write a file back.
 */
public final class ComponentMapping {
    private final Component component;
    private final Map<String, TensorMapping> byDiffusers = new LinkedHashMap<>();
    private final Map<String, List<TensorMapping>> byStored = new LinkedHashMap<>();

    ComponentMapping(Component component) {
        this.component = component;
    }

    void add(TensorMapping m) {
        if (byDiffusers.putIfAbsent(m.diffusersName(), m) != null) {
            throw new UnsupportedCheckpointException("both '" + byDiffusers.get(m.diffusersName()).storedName()
                    + "' and '" + m.storedName() + "' would be the " + component.folderName() + " parameter '"
                    + m.diffusersName() + "'");
        }
        byStored.computeIfAbsent(m.storedName(), k -> new ArrayList<>()).add(m);
    }

    public Component component() {
        return component;
    }

    /** All parameters, in the file's order (q, k, v of a fused tensor in that order). */
    public List<TensorMapping> tensors() {
        return List.copyOf(byDiffusers.values());
    }

    /** The component's parameter names as diffusers has them. */
    public Set<String> diffusersNames() {
        return Collections.unmodifiableSet(byDiffusers.keySet());
    }

    /** Where a diffusers parameter lies in the file. */
    public Optional<TensorMapping> forDiffusers(String diffusersName) {
        return Optional.ofNullable(byDiffusers.get(diffusersName));
    }

    /** The parameters a stored tensor holds (three for a fused q;k;v tensor); empty when none. */
    public List<TensorMapping> forStored(String storedName) {
        return List.copyOf(byStored.getOrDefault(storedName, List.of()));
    }

    /** The stored tensors this component reads. */
    public Set<String> storedNames() {
        return Collections.unmodifiableSet(byStored.keySet());
    }
}
