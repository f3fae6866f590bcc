package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Converts between a single file's LDM names and diffusers names for one layout, using the tables
 * of {@link LdmTables}. It never touches tensor data: its output says where each diffusers
 * parameter lies, so a view can read it in place and a writer can put it back.
 */
public final class LdmConverter {
    /** DDPM buffers that full training checkpoints store at the top level; schedulers recompute them. */
    private static final Set<String> SCHEDULE_BUFFERS = Set.of("betas", "alphas_cumprod", "alphas_cumprod_prev",
            "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
            "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
            "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar");
    private static final Set<String> EMA_BOOKKEEPING = Set.of("model_ema.decay", "model_ema.num_updates");

    private final LdmLayout layout;
    private final Map<Component, NameTable> tables = new EnumMap<>(Component.class);

    public LdmConverter(LdmLayout layout) {
        this.layout = layout;
        tables.put(Component.UNET, LdmTables.unet(layout.unet()));
        tables.put(Component.VAE, LdmTables.vae(layout.vae()));
        for (Component c : layout.family().components()) {
            if (c == Component.TEXT_ENCODER || c == Component.TEXT_ENCODER_2) {
                tables.put(c, LdmTables.text(layout.family(), c, layout.text(c)));
            }
        }
    }

    public LdmLayout layout() {
        return layout;
    }

    /**
     * Maps every stored tensor of the file to the diffusers parameters it holds.
     *
     * @param weights which UNet weights to read from a full checkpoint with EMA copies
     * @throws UnsupportedCheckpointException when EMA weights are asked for but absent or incomplete
     */
    public LdmMapping convert(TensorShapes shapes, WeightSet weights) {
        boolean hasEma = shapes.has(WeightSet.emaName(LdmFamily.UNET_PREFIX + "input_blocks.0.0.weight"));
        if (weights == WeightSet.EMA && !hasEma) {
            throw new UnsupportedCheckpointException("the file has no EMA weights (no model_ema.* copies of the"
                    + " UNet); use its default weights");
        }
        Map<Component, ComponentMapping> out = new EnumMap<>(Component.class);
        Set<String> read = new HashSet<>();
        for (Component c : layout.family().components()) {
            ComponentMapping mapping = new ComponentMapping(c);
            String prefix = layout.family().prefix(c);
            boolean ema = c == Component.UNET && weights == WeightSet.EMA;
            for (String name : shapes.names()) {
                if (!name.startsWith(prefix)) {
                    continue;
                }
                List<NameTable.Target> targets = tables.get(c).toDiffusers(name.substring(prefix.length()));
                if (targets.isEmpty()) {
                    continue;
                }
                String stored = ema ? emaCopy(shapes, name) : name;
                long[] storedShape = shapes.shape(stored);
                for (NameTable.Target t : targets) {
                    mapping.add(record(t, stored, storedShape));
                }
                read.add(stored);
            }
            out.put(c, mapping);
        }
        List<UnusedTensor> unused = new ArrayList<>();
        for (String name : shapes.names()) {
            if (!read.contains(name)) {
                unused.add(new UnusedTensor(name, reason(name, weights)));
            }
        }
        return new LdmMapping(out, unused, hasEma, weights);
    }

    /**
     * Where a diffusers parameter of the given shape goes in a file of this layout, for writing a
     * single file from diffusers tensors; empty when no rule places it.
     */
    public Optional<TensorMapping> toStored(Component c, String diffusersName, long[] shape) {
        return tables.get(c).toStored(diffusersName).map(t -> {
            long[] storedShape = t.rule().storedShape(shape);
            return new TensorMapping(diffusersName, layout.family().prefix(c) + t.name(), shape, storedShape,
                    t.rule().elementOffset(storedShape), TensorMapping.elementCount(shape), t.rule().transposes());
        });
    }

    /** The diffusers names a stored name stands for in this layout (without looking at any file). */
    public List<String> toDiffusers(Component c, String storedName) {
        String prefix = layout.family().prefix(c);
        if (!storedName.startsWith(prefix)) {
            return List.of();
        }
        return tables.get(c).toDiffusers(storedName.substring(prefix.length())).stream()
                .map(NameTable.Target::name).toList();
    }

    private static TensorMapping record(NameTable.Target t, String stored, long[] storedShape) {
        long[] shape = t.rule().diffusersShape(storedShape);
        return new TensorMapping(t.name(), stored, shape, storedShape, t.rule().elementOffset(storedShape),
                TensorMapping.elementCount(shape), t.rule().transposes());
    }

    private static String emaCopy(TensorShapes shapes, String name) {
        String ema = WeightSet.emaName(name);
        if (!shapes.has(ema) || !Arrays.equals(shapes.shape(ema), shapes.shape(name))) {
            throw new UnsupportedCheckpointException("the file's EMA weights are incomplete: '" + ema
                    + "' is missing or differs in shape from '" + name + "'");
        }
        return ema;
    }

    private String reason(String name, WeightSet weights) {
        if (EMA_BOOKKEEPING.contains(name)) {
            return "EMA bookkeeping";
        }
        if (name.startsWith(WeightSet.EMA_PREFIX)) {
            return weights == WeightSet.NON_EMA ? "EMA weights (not selected)" : UnusedTensor.NOT_RECOGNISED;
        }
        if (SCHEDULE_BUFFERS.contains(name)) {
            return "training noise schedule (the scheduler computes it)";
        }
        if (weights == WeightSet.EMA && !toDiffusers(Component.UNET, name).isEmpty()) {
            return "non-EMA weights (the EMA weights are selected)";
        }
        LdmFamily family = layout.family();
        for (Component c : List.of(Component.TEXT_ENCODER, Component.TEXT_ENCODER_2)) {
            if (!family.components().contains(c) || !name.startsWith(family.prefix(c))) {
                continue;
            }
            String text = family.prefix(c);
            if (!family.openClip(c)) {
                return name.equals(text + "text_model.embeddings.position_ids")
                        ? "position ids (a constant, not a weight)" : UnusedTensor.NOT_RECOGNISED;
            }
            if (family == LdmFamily.SD2 && name.startsWith(text + "transformer.resblocks." + layout.text().layers() + ".")) {
                return "last text block (SD 2 uses the penultimate block's output)";
            }
            if (family == LdmFamily.SD2 && name.equals(text + "text_projection")) {
                return "text projection (SD 2 conditions on the hidden states before it)";
            }
            return name.equals(text + "logit_scale") ? "CLIP logit scale (training only)" : UnusedTensor.NOT_RECOGNISED;
        }
        return UnusedTensor.NOT_RECOGNISED;
    }
}
