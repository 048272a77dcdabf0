package io.seqattn.job.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a user would try before seqattn: TF-IDF + logistic regression (Spark MLlib: lower-cased
 * words — runs of letters and digits, as seqattn's words tokenizer cuts them — HashingTF of 2^18
 * features, IDF, L2-regularized LogisticRegression), trained on the same training documents and
 * scored on the same held-out ones, in the same run; with {@code maxTokens} > 0, on every
 * document's first words only, as the truncated seqattn model sees them.
 */
final class BagOfWordsBaseline {
  static final int FEATURES = 1 << 18;
  static final double REG_PARAM = 0.01;
  static final int MAX_ITER = 200;

  private BagOfWordsBaseline() {}

  /** The method, for logs. */
  static String describe(int maxTokens) {
    return "TF-IDF + logistic regression (Spark MLlib; HashingTF " + FEATURES + ", regParam " + REG_PARAM + "; "
        + (maxTokens == 0 ? "whole documents" : "first " + maxTokens + " words") + ")";
  }

  /** Held-out accuracy of TF-IDF + LR, or NaN when nothing is held out. */
  static double accuracy(SparkSession spark, LabelledDocuments.Fields fields, boolean[] held, int maxTokens) {
    JavaRDD<Row> rows = LabelledDocuments.records(spark, fields)
        .map(t -> RowFactory.create(t._1().text(), t._1().label(), held[t._2()]));
    StructType schema = new StructType().add("text", DataTypes.StringType).add("class", DataTypes.StringType)
        .add("held", DataTypes.BooleanType);
    Dataset<Row> words = new RegexTokenizer().setInputCol("text").setOutputCol("words")
        .setPattern("[\\p{L}\\p{N}]+").setGaps(false).setToLowercase(true)
        .transform(spark.createDataFrame(rows, schema));
    if (maxTokens > 0) {
      words = words.withColumn("words", functions.slice(functions.col("words"), 1, maxTokens));
    }
    Dataset<Row> docs = words.cache();
    try {
      Dataset<Row> train = docs.where("NOT held");
      Dataset<Row> test = docs.where("held");
      if (test.isEmpty()) {
        return Double.NaN;
      }
      List<PipelineStage> stages = new ArrayList<>();
      stages.add(new StringIndexer().setInputCol("class").setOutputCol("label").setHandleInvalid("keep"));
      stages.add(new HashingTF().setInputCol("words").setOutputCol("tf").setNumFeatures(FEATURES));
      stages.add(new IDF().setInputCol("tf").setOutputCol("features"));
      stages.add(new LogisticRegression().setMaxIter(MAX_ITER).setRegParam(REG_PARAM));
      var model = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(train);
      return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
    } finally {
      docs.unpersist();
    }
  }
}
