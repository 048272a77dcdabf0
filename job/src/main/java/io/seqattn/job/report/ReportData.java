package io.seqattn.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.job.plan.OutputTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * What a report shows: the run's {@code run.json} and one {@link SequencePoint} per sequence, read from
 * the run's embeddings table. Embeddings are kept for at most {@code maxPoints} sequences, chosen by a
 * hash of their ids, so the sample does not depend on partitioning.
 */
record ReportData(JsonNode run, List<SequencePoint> sequences, String colorField) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The most groups a colour-by field may have to be chosen automatically. */
  static final int MAX_AUTO_GROUPS = 12;

  /**
   * Reads the report's data from the run directory {@code runDir} (any Hadoop file system).
   *
   * @param colorBy the passthrough field to colour the projection by; null chooses the first field
   *     with at most {@link #MAX_AUTO_GROUPS} distinct values, or none
   */
  static ReportData read(SparkSession spark, String runDir, JsonNode run, String colorBy, int maxPoints) {
    Dataset<Row> table = spark.read().parquet(runDir + "/" + OutputTables.EMBEDDINGS_TABLE);
    // Passthrough fields are a struct whose schema Spark inferred from the records, when there are any.
    org.apache.spark.sql.Column fieldsJson = java.util.Arrays.asList(table.columns()).contains("fields")
        ? to_json(col("fields")) : lit(null).cast("string");
    List<Row> rows = table.select(col("seq_id"), col("length"), col("non_positive_normalizers"), fieldsJson)
        .orderBy("seq_id").collectAsList();
    Set<String> sampled = new HashSet<>();
    Map<String, float[]> embeddings = new LinkedHashMap<>();
    for (Row r : table.select(col("seq_id"), col("embedding")).where(col("embedding").isNotNull())
        .orderBy(xxhash64(col("seq_id")), col("seq_id")).limit(maxPoints).collectAsList()) {
      sampled.add(r.getString(0));
      List<Float> e = r.getList(1);
      float[] values = new float[e.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = e.get(i);
      }
      embeddings.put(r.getString(0), values);
    }
    List<Map<String, String>> fields = new ArrayList<>();
    for (Row r : rows) {
      fields.add(fieldsOf(r.isNullAt(3) ? null : r.getString(3)));
    }
    String field = colorBy != null ? colorBy : automaticField(fields);
    if (colorBy != null && fields.stream().noneMatch(f -> f.containsKey(colorBy))) {
      throw new IllegalArgumentException("no sequence has a field '" + colorBy + "' to colour by (fields: "
          + fields.stream().flatMap(f -> f.keySet().stream()).distinct().limit(20).toList() + ")");
    }
    List<SequencePoint> points = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String id = r.getString(0);
      String group = field == null ? null : fields.get(i).get(field);
      points.add(new SequencePoint(id, r.getLong(1), r.getLong(2), group,
          sampled.contains(id) ? embeddings.get(id) : null));
    }
    return new ReportData(run, points, field);
  }

  /** A record's passthrough fields as text (numbers and booleans as JSON writes them; objects skipped). */
  static Map<String, String> fieldsOf(String json) {
    Map<String, String> out = new LinkedHashMap<>();
    if (json == null) {
      return out;
    }
    try {
      JsonNode node = JSON.readTree(json);
      node.fields().forEachRemaining(e -> {
        if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          out.put(e.getKey(), e.getValue().asText());
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("fields_json is not JSON: " + json, e);
    }
    return out;
  }

  /** The first field present on every record with 2..MAX_AUTO_GROUPS distinct values, or null. */
  static String automaticField(List<Map<String, String>> fields) {
    if (fields.isEmpty()) {
      return null;
    }
    for (String name : fields.get(0).keySet()) {
      Set<String> values = new HashSet<>();
      boolean everywhere = true;
      for (Map<String, String> f : fields) {
        String v = f.get(name);
        if (v == null) {
          everywhere = false;
          break;
        }
        values.add(v);
      }
      if (everywhere && values.size() >= 2 && values.size() <= MAX_AUTO_GROUPS) {
        return name;
      }
    }
    return null;
  }
}
