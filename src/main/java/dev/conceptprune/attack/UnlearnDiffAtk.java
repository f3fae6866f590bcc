package dev.conceptprune.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.clip.ClipTokenizer;
import dev.conceptprune.scheduler.Scheduler;
import java.util.Arrays;
import java.util.Random;

/**
 * UnlearnDiffAtk (Zhang et al., ECCV 2024): a white-box adversarial prompt found with the attacked model's own
 * denoising loss as the classifier. {@code k} tokens are put after the start token, each a distribution over the
 * vocabulary on the probability simplex (uniform at first). Every iteration draws one token per position from its
 * distribution, noises the target image's latent at a random timestep, and takes one Adam step (L2 weight decay)
 * on the distributions along the straight-through gradient of the loss (the gradient with respect to the drawn
 * one-hot rows, clipped to [-1, 1]), then projects each row back onto the simplex. After each round the most
 * likely token of every position gives a real prompt, which the caller's judge may accept, ending the attack.
 */
public final class UnlearnDiffAtk {
    /**
     * How the attack searches.
     *
     * @param tokens       adversarial tokens put before the prompt
     * @param iterations   optimisation steps per round
     * @param rounds       rounds; after each one the prompt so far is projected and judged
     * @param learningRate Adam's step size (0.01 in the paper's code)
     * @param weightDecay  Adam's L2 weight decay (0.1 in the paper's code)
     */
    public record Settings(int tokens, int iterations, int rounds, double learningRate, double weightDecay) {
    }

    /** Decides whether an adversarial prompt succeeded (generates and detects); null: run every round. */
    public interface Judge {
        boolean succeeds(String adversarialPrompt);
    }

    /**
     * What one attack found.
     *
     * @param tokenIds        the adversarial token ids, in order
     * @param prompt          the adversarial prompt (the tokens' text, then the prompt)
     * @param loss            mean denoising loss over the last round
     * @param iterations      optimisation steps taken
     * @param rounds          rounds run
     * @param succeeded       whether the judge accepted the prompt (false without a judge)
     */
    public record Result(int[] tokenIds, String prompt, double loss, int iterations, int rounds, boolean succeeded) {
    }

    private final ClipTextModel text;
    private final ClipTokenizer tokenizer;
    private final DenoisingLoss objective;
    private final Scheduler scheduler;
    private final int trainTimesteps;
    private final Settings settings;

    /**
     * An attack on the text encoder and UNet behind {@code objective} (built for a gradient runtime).
     *
     * @param scheduler      the attacked model's scheduler, for noising latents at training timesteps
     * @param trainTimesteps the scheduler's {@code num_train_timesteps}
     */
    public UnlearnDiffAtk(ClipTextModel text, ClipTokenizer tokenizer, DenoisingLoss objective, Scheduler scheduler,
                          int trainTimesteps, Settings settings) {
        this.text = text;
        this.tokenizer = tokenizer;
        this.objective = objective;
        this.scheduler = scheduler;
        this.trainTimesteps = trainTimesteps;
        this.settings = settings;
    }

    /**
     * Attacks {@code prompt} towards the target latent {@code target} (VAE posterior mean times the scaling factor,
     * shape {@code latentShape}, one image), drawing timesteps, noise and tokens from {@code seed}.
     */
    public Result attack(NDManager parent, String prompt, float[] target, Shape latentShape, long seed, Judge judge) {
        int k = settings.tokens();
        int[] ids = withSlots(tokenizer.encode(prompt), k);
        int vocab = text.config().vocabSize();
        int hidden = text.config().hidden();
        int seq = ids.length;
        Shape embeddingShape = new Shape(1, seq, hidden);
        float[] base;
        float[] table;
        try (NDManager m = parent.newSubManager()) {
            base = text.tokenEmbeddings(m, new int[][] {ids}).toFloatArray();
        }
        table = text.tokenEmbeddingTable().toFloatArray();
        float[] weights = new float[k * vocab];
        Arrays.fill(weights, 1f / vocab);
        Adam adam = new Adam(weights.length, settings.learningRate(), settings.weightDecay());
        Random random = new Random(seed);
        int[] drawn = new int[k];
        double roundLoss = 0;
        int steps = 0;
        for (int round = 1; round <= settings.rounds(); round++) {
            roundLoss = 0;
            for (int it = 0; it < settings.iterations(); it++) {
                for (int j = 0; j < k; j++) {
                    drawn[j] = draw(weights, j * vocab, vocab, random);
                }
                float[] embeddings = base.clone();
                for (int j = 0; j < k; j++) {
                    System.arraycopy(table, drawn[j] * hidden, embeddings, (1 + j) * hidden, hidden);
                }
                int t = random.nextInt(trainTimesteps);
                float[] eps = new float[target.length];
                for (int i = 0; i < eps.length; i++) {
                    eps[i] = (float) random.nextGaussian();
                }
                float[] noisy = scheduler.addNoise(target, eps, t);
                DenoisingLoss.Gradients g = objective.gradients(parent, embeddings, embeddingShape, noisy, latentShape,
                        t, eps);
                roundLoss += g.loss();
                float[] grad = oneHotGradient(parent, g.tokenEmbeddings(), k, hidden);
                for (int i = 0; i < grad.length; i++) {
                    grad[i] = Math.max(-1f, Math.min(1f, grad[i]));
                }
                adam.step(weights, grad);
                for (int j = 0; j < k; j++) {
                    SimplexProjection.project(weights, j * vocab, vocab);
                }
                steps++;
            }
            roundLoss /= settings.iterations();
            int[] best = argmax(weights, k, vocab);
            String adversarial = adversarialPrompt(best, prompt);
            if (judge != null && judge.succeeds(adversarial)) {
                return new Result(best, adversarial, roundLoss, steps, round, true);
            }
            if (round == settings.rounds()) {
                return new Result(best, adversarial, roundLoss, steps, round, false);
            }
        }
        throw new IllegalArgumentException("an attack needs at least one round");
    }

    /** The adversarial prompt as text: the tokens' words, then the prompt. */
    String adversarialPrompt(int[] tokenIds, String prompt) {
        String words = tokenizer.decode(tokenIds);
        return words.isEmpty() ? prompt : words + " " + prompt;
    }

    /**
     * The prompt's ids with {@code k} slots after the start token; the sequence keeps its length, so the last
     * {@code k} positions (padding, or the prompt's end when it is long) fall off.
     */
    private int[] withSlots(int[] ids, int k) {
        if (k < 1 || k > ids.length - 2) {
            throw new IllegalArgumentException("adversarial tokens must be in [1, " + (ids.length - 2) + "], got " + k);
        }
        int[] out = new int[ids.length];
        out[0] = ids[0];
        Arrays.fill(out, 1, 1 + k, tokenizer.eosId());
        System.arraycopy(ids, 1, out, 1 + k, ids.length - 1 - k);
        if (out[out.length - 1] != tokenizer.eosId() && out[out.length - 1] != tokenizer.padId()) {
            out[out.length - 1] = tokenizer.eosId();
        }
        return out;
    }

    /** dL/d(one-hot row j) = E_table . dL/de_j for the k adversarial positions; [k * vocab]. */
    private float[] oneHotGradient(NDManager parent, float[] embeddingGrad, int k, int hidden) {
        try (NDManager m = parent.newSubManager()) {
            NDArray g = m.create(Arrays.copyOfRange(embeddingGrad, hidden, (1 + k) * hidden), new Shape(k, hidden));
            return g.matMul(text.tokenEmbeddingTable().transpose()).toFloatArray();
        }
    }

    private static int draw(float[] p, int from, int n, Random random) {
        double u = random.nextDouble();
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += p[from + i];
        }
        double target = u * total;
        double c = 0;
        for (int i = 0; i < n; i++) {
            c += p[from + i];
            if (c > target) {
                return i;
            }
        }
        return n - 1;
    }

    private static int[] argmax(float[] p, int k, int vocab) {
        int[] best = new int[k];
        for (int j = 0; j < k; j++) {
            int b = 0;
            for (int i = 1; i < vocab; i++) {
                if (p[j * vocab + i] > p[j * vocab + b]) {
                    b = i;
                }
            }
            best[j] = b;
        }
        return best;
    }

    /** torch.optim.Adam with L2 weight decay (added to the gradient), betas 0.9/0.999, eps 1e-8. */
    private static final class Adam {
        private final float[] m;
        private final float[] v;
        private final double lr;
        private final double decay;
        private int t;

        Adam(int n, double lr, double decay) {
            this.m = new float[n];
            this.v = new float[n];
            this.lr = lr;
            this.decay = decay;
        }

        void step(float[] x, float[] grad) {
            t++;
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            for (int i = 0; i < x.length; i++) {
                double g = grad[i] + decay * x[i];
                m[i] = (float) (0.9 * m[i] + 0.1 * g);
                v[i] = (float) (0.999 * v[i] + 0.001 * g * g);
                x[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8));
            }
        }
    }
}
