package dev.conceptprune.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.unet.UNet2DConditionModel;
import dev.conceptprune.unet.UNetConditioning;

/**
 * The denoising objective a white-box attack differentiates, {@code mean((unet(x_t, t, text(E)) - eps)^2)},
 * with its gradient with respect to the text states and to the text encoder's input token embeddings
 * {@code E} (what UnlearnDiffAtk optimises). The text encoder and the UNet must be built for a
 * gradient runtime ({@code Runtime.withGradients(true)}). Each call records and frees its own graph:
 * nothing is kept between calls, so an attack's memory does not grow with its iterations.
 */
public final class DenoisingLoss {
    private final ClipTextModel text;
    private final UNet2DConditionModel unet;

    /** The objective over this text encoder (SD's last hidden state) and UNet. */
    public DenoisingLoss(ClipTextModel text, UNet2DConditionModel unet) {
        this.text = text;
        this.unet = unet;
    }

    /**
     * The loss and its gradients, flat in the inputs' layouts.
     *
     * @param loss            the mean squared error
     * @param tokenEmbeddings dL/dE, [batch, tokens, hidden]
     * @param textStates      dL/d(text states), [batch, tokens, hidden]
     */
    public record Gradients(double loss, float[] tokenEmbeddings, float[] textStates) {
    }

    /**
     * Evaluates the objective at token embeddings {@code embeddings} (shape {@code embeddingShape}) for
     * noisy latents {@code noisy} (shape {@code latentShape}) at {@code timestep} against the noise
     * {@code eps}, and differentiates it.
     */
    public Gradients gradients(NDManager parent, float[] embeddings, Shape embeddingShape, float[] noisy,
                               Shape latentShape, float timestep, float[] eps) {
        float[] states;
        try (NDManager m = parent.newSubManager()) {
            states = statesOf(m, m.create(embeddings, embeddingShape)).toFloatArray();
        }
        double loss;
        float[] gradStates;
        // The UNet's part first, from the states as a leaf of their own; then the encoder's part, as the
        // vector-Jacobian product of dL/dstates. DJL records one graph at a time, and each is freed here.
        try (NDManager m = parent.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray s = m.create(states, embeddingShape);
            s.setRequiresGradient(true);
            NDArray predicted = unet.forward(m.create(noisy, latentShape), timestep, UNetConditioning.text(s));
            NDArray l = predicted.sub(m.create(eps, latentShape)).square().mean();
            loss = l.getFloat();
            collector.backward(l);
            gradStates = s.getGradient().toFloatArray();
        }
        float[] gradEmbeddings;
        try (NDManager m = parent.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray e = m.create(embeddings, embeddingShape);
            e.setRequiresGradient(true);
            NDArray s = statesOf(m, e);
            collector.backward(s.mul(m.create(gradStates, embeddingShape)).sum());
            gradEmbeddings = e.getGradient().toFloatArray();
        }
        return new Gradients(loss, gradEmbeddings, gradStates);
    }

    private NDArray statesOf(NDManager m, NDArray embeddings) {
        NDList hidden = text.hiddenStates(m, embeddings);
        return text.lastHiddenState(hidden);
    }
}
