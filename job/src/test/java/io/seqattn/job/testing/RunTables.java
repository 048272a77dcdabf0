package io.seqattn.job.testing;

import io.seqattn.core.attention.Summary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads a run directory's Parquet tables back into plain Java maps for comparison. */
public final class RunTables {
  /** seq_id/head (layer 0) or seq_id/layer/head (deeper layers) → s followed by z, as written. */
  public final Map<String, double[]> states = new TreeMap<>();
  public final Map<String, Long> tokens = new TreeMap<>();
  /** seq_id/head → the log-scale c of the stored (S, z) = e^c·(s, z). */
  public final Map<String, Double> logScales = new TreeMap<>();
  public final Map<String, float[]> embeddings = new TreeMap<>();

  public RunTables(SparkSession spark, Path run) {
    this(spark, run, true);
  }

  /** @param withStates false for runs without states/ (exact softmax) */
  public RunTables(SparkSession spark, Path run, boolean withStates) {
    this(spark, run.toString(), withStates);
  }

  /** A run directory on any Hadoop file system ({@code hdfs://…}). */
  public RunTables(SparkSession spark, String run, boolean withStates) {
    List<Row> stateRows = withStates ? spark.read().parquet(run + "/states").collectAsList()
        : List.of();
    for (Row r : stateRows) {
      List<Double> s = r.getList(r.fieldIndex("s"));
      List<Double> z = r.getList(r.fieldIndex("z"));
      double[] both = new double[s.size() + z.size()];
      for (int i = 0; i < s.size(); i++) {
        both[i] = s.get(i);
      }
      for (int i = 0; i < z.size(); i++) {
        both[s.size() + i] = z.get(i);
      }
      int layer = r.getInt(r.fieldIndex("layer"));
      String key = r.getString(r.fieldIndex("seq_id")) + (layer == 0 ? "" : "/" + layer) + "/"
          + r.getInt(r.fieldIndex("head"));
      states.put(key, both);
      logScales.put(key, r.getDouble(r.fieldIndex("log_scale")));
    }
    for (Row r : spark.read().parquet(run + "/embeddings").collectAsList()) {
      String id = r.getString(r.fieldIndex("seq_id"));
      tokens.put(id, r.getLong(r.fieldIndex("length")));
      int e = r.fieldIndex("embedding");
      if (r.isNullAt(e)) {
        embeddings.put(id, null);
      } else {
        List<Float> values = r.getList(e);
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
          f[i] = values.get(i);
        }
        embeddings.put(id, f);
      }
    }
  }

  /** Asserts that {@code summary} (from the SQL functions, say) is sequence {@code id}'s stored state, bit for bit. */
  public void assertState(String id, Summary summary) {
    org.junit.jupiter.api.Assertions.assertEquals(tokens.get(id), (Long) summary.tokens(), id + " tokens");
    for (int h = 0; h < summary.heads(); h++) {
      double[] stored = states.get(id + "/" + h);
      org.junit.jupiter.api.Assertions.assertNotNull(stored, id + " head " + h);
      double[] s = summary.sOfHead(h);
      org.junit.jupiter.api.Assertions.assertArrayEquals(Arrays.copyOfRange(stored, 0, s.length), s, id + " S head " + h);
      org.junit.jupiter.api.Assertions.assertArrayEquals(Arrays.copyOfRange(stored, s.length, stored.length),
          summary.zOfHead(h), id + " z head " + h);
    }
  }
}
