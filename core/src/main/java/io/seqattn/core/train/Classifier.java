package io.seqattn.core.train;

import io.seqattn.core.random.Gaussian;
import java.util.SplittableRandom;

/**
 * The classification head on a sequence's embedding e (the mean of the final normed output over
 * present positions, times {@code head.wo} when the model has it): logits = e·W + b, W =
 * {@code classifier.weight} [e, C], b = {@code classifier.bias} [C]; the loss is softmax cross
 * entropy −log p_label. Computed in double: it is C numbers a sequence.
 */
public final class Classifier {
  public static final String WEIGHT = "classifier.weight";
  public static final String BIAS = "classifier.bias";

  private final int width;
  private final int classes;
  private final float[] weight;
  private final float[] bias;

  public Classifier(int width, int classes, float[] weight, float[] bias) {
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
    }
    if (weight.length != width * classes || bias.length != classes) {
      throw new IllegalArgumentException(WEIGHT + " must be [" + width + ", " + classes + "] and " + BIAS + " ["
          + classes + "], got " + weight.length + " and " + bias.length + " values");
    }
    this.width = width;
    this.classes = classes;
    this.weight = weight;
    this.bias = bias;
  }

  /** A seeded new head: W ~ N(0, 1/width), b = 0. */
  public static Classifier random(int width, int classes, long seed) {
    return new Classifier(width, classes, Gaussian.array(new SplittableRandom(seed), (long) width * classes,
        1 / Math.sqrt(width)), new float[classes]);
  }

  public float[] weight() {
    return weight;
  }

  public float[] bias() {
    return bias;
  }

  public int width() {
    return width;
  }

  public int classes() {
    return classes;
  }

  /** e·W + b. */
  public double[] logits(double[] embedding) {
    double[] out = new double[classes];
    for (int c = 0; c < classes; c++) {
      double acc = bias[c];
      for (int i = 0; i < width; i++) {
        acc += embedding[i] * weight[i * classes + c];
      }
      out[c] = acc;
    }
    return out;
  }

  /** log softmax of the logits, stable. */
  public static double[] logSoftmax(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (double l : logits) {
      sum += Math.exp(l - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int c = 0; c < logits.length; c++) {
      out[c] = logits[c] - log;
    }
    return out;
  }

  /**
   * The loss −log p_label, its gradients for W and b added to {@code grads}, and ∂loss/∂e
   * returned: ∂logits = softmax − onehot(label), ∂W = e ⊗ ∂logits, ∂e = W·∂logits.
   */
  double backward(double[] embedding, int label, Gradients grads, double[] dEmbedding) {
    double[] logp = logSoftmax(logits(embedding));
    double[] dLogits = new double[classes];
    for (int c = 0; c < classes; c++) {
      dLogits[c] = Math.exp(logp[c]) - (c == label ? 1 : 0);
    }
    double[] dW = new double[width * classes];
    for (int i = 0; i < width; i++) {
      double acc = 0;
      for (int c = 0; c < classes; c++) {
        dW[i * classes + c] = embedding[i] * dLogits[c];
        acc += weight[i * classes + c] * dLogits[c];
      }
      dEmbedding[i] = acc;
    }
    grads.add(WEIGHT, dW);
    grads.add(BIAS, dLogits);
    return -logp[label];
  }
}
