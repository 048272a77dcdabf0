package io.seqattn.core.train;

import java.util.List;

/**
 * Held-out results of a classifier: the mean cross entropy and the accuracy (the arg-max logit,
 * the lowest class on ties) over labelled sequences.
 */
public record Evaluation(int sequences, double loss, double accuracy) {

  /** One held-out sequence's label and logits. */
  public record Scored(int label, double[] logits) implements java.io.Serializable {}

  public static Evaluation of(List<Scored> scored) {
    if (scored.isEmpty()) {
      return new Evaluation(0, Double.NaN, Double.NaN);
    }
    double loss = 0;
    int right = 0;
    for (Scored s : scored) {
      loss -= Classifier.logSoftmax(s.logits())[s.label()];
      if (argMax(s.logits()) == s.label()) {
        right++;
      }
    }
    return new Evaluation(scored.size(), loss / scored.size(), (double) right / scored.size());
  }

  public static int argMax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
