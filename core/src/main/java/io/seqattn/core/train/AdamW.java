package io.seqattn.core.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter, 2019) on master weights in double, exactly as PyTorch's
 * {@code torch.optim.AdamW} steps: θ ← θ·(1 − lr·λ) (matrices only), m ← β₁m + (1 − β₁)g, v ← β₂v +
 * (1 − β₂)g², θ ← θ − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε). Its moments are part of a checkpoint,
 * so a resumed run steps exactly as an uninterrupted one.
 */
public final class AdamW implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final Map<String, double[]> first = new LinkedHashMap<>();
  private final Map<String, double[]> second = new LinkedHashMap<>();
  private long step;

  public AdamW(TrainSettings s) {
    this.beta1 = s.beta1();
    this.beta2 = s.beta2();
    this.eps = s.adamEps();
    this.weightDecay = s.weightDecay();
  }

  /** Steps taken so far. */
  public long step() {
    return step;
  }

  /** One step of every parameter with gradient {@code grads} (a tensor without one is treated as 0). */
  public void update(ParameterStore params, Gradients grads, double lr) {
    step++;
    double c1 = 1 - Math.pow(beta1, step);
    double c2 = Math.sqrt(1 - Math.pow(beta2, step));
    for (String name : params.names()) {
      double[] theta = params.values(name);
      double[] g = grads.get(name);
      double[] m = first.computeIfAbsent(name, k -> new double[theta.length]);
      double[] v = second.computeIfAbsent(name, k -> new double[theta.length]);
      double decay = params.decayed(name) ? 1 - lr * weightDecay : 1;
      for (int i = 0; i < theta.length; i++) {
        double gi = g == null ? 0 : g[i];
        theta[i] *= decay;
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        theta[i] -= (lr / c1) * m[i] / (Math.sqrt(v[i]) / c2 + eps);
      }
    }
  }

  /** The moments by tensor (first, second) and the step count, for a checkpoint. */
  public Map<String, double[]> firstMoments() {
    return first;
  }

  public Map<String, double[]> secondMoments() {
    return second;
  }

  /** Restores a checkpoint's moments and step count. */
  public void restore(long steps, Map<String, double[]> m, Map<String, double[]> v) {
    this.step = steps;
    first.clear();
    second.clear();
    first.putAll(m);
    second.putAll(v);
  }
}
