package io.seqattn.core.train;

import io.seqattn.core.random.Gaussian;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The language-model head of {@code seqattn train --task lm}: at every position p with a target
 * y_p, logits = F_p·W + b over the C next-token classes, W = {@code lm_head.weight} [d, C], b =
 * {@code lm_head.bias} [C], F the final normed output; the loss is −log softmax(logits)[y_p].
 * For DNA the classes are the four bases (the next base after the k-mer at p), so likelihoods are
 * per base; for other tokenizers the next token id. Rows go through in slices of {@value #SLICE},
 * so a large vocabulary costs a [slice, C] array, not [n, C].
 */
public final class NextTokenHead {
  public static final String WEIGHT = "lm_head.weight";
  public static final String BIAS = "lm_head.bias";
  /** Rows of logits formed at once. */
  static final int SLICE = 512;

  private final int width;
  private final int classes;
  private final float[] weight;
  private final float[] bias;

  public NextTokenHead(int width, int classes, float[] weight, float[] bias) {
    if (classes < 2) {
      throw new IllegalArgumentException("a language-model head needs at least 2 classes, got " + classes);
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
  public static NextTokenHead random(int width, int classes, long seed) {
    return new NextTokenHead(width, classes, Gaussian.array(new SplittableRandom(seed), (long) width * classes,
        1 / Math.sqrt(width)), new float[classes]);
  }

  public int classes() {
    return classes;
  }

  public float[] weight() {
    return weight;
  }

  public float[] bias() {
    return bias;
  }

  /**
   * One chunk's part: log p(y_p) for every row with a target (into {@code logLikelihood} from
   * {@code offset}; rows without one are left alone), and, when {@code grads} is given, the
   * gradient of −scale·Σ log p(y_p) for W and b and the returned ∂F [n, d].
   *
   * @param f the chunk's final normed rows [n, d]
   * @param targets the class per row, −1 where there is none
   */
  INDArray apply(INDArray f, int[] targets, int from, double[] logLikelihood, int offset, double scale,
      Gradients grads) {
    DataType type = f.dataType();
    int n = (int) f.rows();
    INDArray w = Nd4j.create(weight, new long[] {width, classes}, DataType.FLOAT).castTo(type);
    INDArray b = Nd4j.create(bias, new long[] {1, classes}, DataType.FLOAT).castTo(type);
    INDArray df = grads == null ? null : Nd4j.zeros(type, n, width);
    for (int lo = 0; lo < n; lo += SLICE) {
      int hi = Math.min(n, lo + SLICE);
      INDArray rows = f.get(NDArrayIndex.interval(lo, hi), NDArrayIndex.all());
      INDArray logits = Dense.mm(rows, w).addiRowVector(b).castTo(DataType.DOUBLE);
      INDArray max = logits.max(true, 1);
      INDArray shifted = logits.subColumnVector(max);
      INDArray logZ = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
      INDArray logP = shifted.subiColumnVector(logZ);
      double[] lp = Nd4j.toFlattened('c', logP).toDoubleVector();
      double[] dLogits = grads == null ? null : new double[(hi - lo) * classes];
      for (int r = lo; r < hi; r++) {
        int y = targets[from + r];
        if (y < 0) {
          continue;
        }
        int base = (r - lo) * classes;
        logLikelihood[offset + r] = lp[base + y];
        if (dLogits != null) {
          for (int c = 0; c < classes; c++) {
            dLogits[base + c] = scale * Math.exp(lp[base + c]);
          }
          dLogits[base + y] -= scale;
        }
      }
      if (grads != null) {
        INDArray dl = Nd4j.create(dLogits, new long[] {hi - lo, classes}, DataType.DOUBLE).castTo(type);
        grads.add(WEIGHT, Dense.mm(rows, dl, true, false));
        grads.add(BIAS, Dense.columnSums(dl));
        df.get(NDArrayIndex.interval(lo, hi), NDArrayIndex.all()).assign(Dense.mm(dl, w, false, true));
      }
    }
    return df;
  }
}
