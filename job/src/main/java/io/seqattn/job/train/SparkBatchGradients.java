package io.seqattn.job.train;

import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.train.MiniBatchTrainer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A batch's per-sequence gradients computed by Spark tasks: the weights broadcast once per step
 * (float arrays by name, never an INDArray), the cached examples of the batch filtered and each
 * one's exact gradient computed where it lives, the results collected. The driver sums them in
 * batch order ({@link MiniBatchTrainer#step}), so where each sequence ran changes no bit.
 */
final class SparkBatchGradients implements MiniBatchTrainer.BatchGradients {
  private final JavaSparkContext context;
  private final JavaRDD<LabelledDocuments.Example> examples;
  private final StackConfig config;
  private final Map<String, Integer> classIndex;
  private final int chunkSize;

  /** @param examples the training examples, indexed 0 … n − 1 and cached */
  SparkBatchGradients(JavaSparkContext context, JavaRDD<LabelledDocuments.Example> examples, StackConfig config,
      Map<String, Integer> classIndex, int chunkSize) {
    this.context = context;
    this.examples = examples;
    this.config = config;
    this.classIndex = classIndex;
    this.chunkSize = chunkSize;
  }

  @Override
  public List<MiniBatchTrainer.SequenceResult> compute(Map<String, float[]> tensors, int[] batch) {
    Broadcast<Map<String, float[]>> weights = context.broadcast(tensors);
    try {
      int[] sorted = batch.clone();
      Arrays.sort(sorted);
      StackConfig c = config;
      Map<String, Integer> classes = classIndex;
      int chunk = chunkSize;
      return examples.filter(e -> Arrays.binarySearch(sorted, e.index()) >= 0)
          .map(e -> MiniBatchTrainer.sequence(c, weights.value(), e.index(), e.ids(), classes.get(e.label()), chunk))
          .collect();
    } finally {
      weights.destroy();
    }
  }
}
