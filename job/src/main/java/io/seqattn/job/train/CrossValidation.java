package io.seqattn.job.train;

import io.seqattn.core.train.TrainSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * k-fold cross-validation of trained seqattn classifiers against TF-IDF + logistic regression on
 * the same folds: for every fold of a stratified k-fold {@link HeldOutSplit}, one {@link
 * TrainingRun} on whole documents and one on every document's first {@code maxTokens} tokens,
 * each starting from the same initial model and ending with its held-out accuracy and the
 * baseline's on the same fold and the same (truncated) text; and the majority class of the
 * training folds as the floor. Every fold's run directory (model, {@code train.json}) is kept
 * under {@code runs}.
 */
public final class CrossValidation {

  /** What to cross-validate; {@code maxTokens} > 0 names the truncated variant. */
  public record Options(LabelledDocuments.Fields fields, Path runs, Path init, Path config, long initSeed,
      TrainSettings settings, int folds, int maxTokens, PrintStream progress) {}

  /** Records per class, and per variant (in report order) the accuracy of every fold. */
  public record Result(Map<String, Long> classes, Map<String, double[]> accuracy) {}

  private CrossValidation() {}

  public static Result run(SparkSession spark, Options o) throws IOException {
    List<String> labels = LabelledDocuments.records(spark, o.fields()).map(t -> t._1().label()).collect();
    if (labels.isEmpty()) {
      throw new TrainingException(o.fields().input() + ": no records");
    }
    Map<String, Long> classes = new TreeMap<>();
    labels.forEach(l -> classes.merge(l, 1L, Long::sum));
    HeldOutSplit.fold(o.folds(), 0).heldOut(labels, o.settings().seed(), o.fields().input()); // refuses early
    int k = o.folds();
    double[] majority = new double[k];
    double[][] trained = new double[2][k]; // [whole, truncated][fold]
    double[][] baseline = new double[2][k];
    int[] keep = {0, o.maxTokens()};
    for (int f = 0; f < k; f++) {
      HeldOutSplit split = HeldOutSplit.fold(k, f);
      majority[f] = majority(labels, split.heldOut(labels, o.settings().seed(), o.fields().input()));
      for (int v = 0; v < keep.length; v++) {
        String name = keep[v] == 0 ? "whole" : "first-" + keep[v];
        TrainingRun.Options run = new TrainingRun.Options(o.fields(), o.runs().resolve("fold-" + (f + 1) + "-" + name),
            o.init(), o.config(), o.initSeed(), o.settings(), split, keep[v], 0, false, 0, o.progress());
        TrainingRun.Outcome outcome = new TrainingRun(spark, run).run();
        trained[v][f] = outcome.evaluation().accuracy();
        baseline[v][f] = outcome.baseline();
        o.progress().printf(Locale.ROOT, "seqattn: classify: fold %d/%d, %s: trained seqattn %.3f, TF-IDF + LR %.3f%n",
            f + 1, k, keep[v] == 0 ? "whole documents" : "first " + keep[v] + " tokens", trained[v][f], baseline[v][f]);
      }
    }
    Map<String, double[]> acc = new LinkedHashMap<>();
    acc.put("majority class", majority);
    acc.put("trained seqattn, whole documents", trained[0]);
    acc.put("trained seqattn, first " + o.maxTokens() + " tokens", trained[1]);
    acc.put("TF-IDF + LR, whole documents", baseline[0]);
    acc.put("TF-IDF + LR, first " + o.maxTokens() + " words", baseline[1]);
    return new Result(classes, acc);
  }

  /** Held-out accuracy of always answering the training records' most frequent class (ties: first by name). */
  static double majority(List<String> labels, boolean[] held) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      if (!held[i]) {
        counts.merge(labels.get(i), 1, Integer::sum);
      }
    }
    String top = null;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (top == null || e.getValue() > counts.get(top)) {
        top = e.getKey();
      }
    }
    int right = 0;
    int total = 0;
    for (int i = 0; i < labels.size(); i++) {
      if (held[i]) {
        total++;
        right += labels.get(i).equals(top) ? 1 : 0;
      }
    }
    return (double) right / total;
  }
}
