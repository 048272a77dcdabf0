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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a user would try before seqattn: TF-IDF + logistic regression (Spark MLlib: lower-cased
 * runs of letters, HashingTF of 2^18 features, IDF, L2-regularized LogisticRegression), trained on
 * the same training documents and scored on the same held-out ones, in the same run.
 */
final class BagOfWordsBaseline {
  static final int FEATURES = 1 << 18;
  static final double REG_PARAM = 0.01;
  static final int MAX_ITER = 200;

  private BagOfWordsBaseline() {}

  /** Held-out accuracy of TF-IDF + LR, or NaN when nothing is held out. */
  static double accuracy(SparkSession spark, LabelledDocuments.Fields fields, boolean[] held) {
    JavaRDD<Row> rows = LabelledDocuments.records(spark, fields)
        .map(t -> RowFactory.create(t._1().text(), t._1().label(), held[t._2()]));
    StructType schema = new StructType().add("text", DataTypes.StringType).add("class", DataTypes.StringType)
        .add("held", DataTypes.BooleanType);
    Dataset<Row> docs = spark.createDataFrame(rows, schema).cache();
    try {
      Dataset<Row> train = docs.where("NOT held");
      Dataset<Row> test = docs.where("held");
      if (test.isEmpty()) {
        return Double.NaN;
      }
      List<PipelineStage> stages = new ArrayList<>();
      stages.add(new StringIndexer().setInputCol("class").setOutputCol("label").setHandleInvalid("keep"));
      stages.add(new RegexTokenizer().setInputCol("text").setOutputCol("words").setPattern("[a-z]+")
          .setGaps(false).setToLowercase(true));
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
