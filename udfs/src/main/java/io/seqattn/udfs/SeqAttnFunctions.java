package io.seqattn.udfs;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.Pooling;
import io.seqattn.core.attention.Readout;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.attention.SummaryCodec;
import io.seqattn.core.model.Model;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.Encoders;
import scala.jdk.javaapi.CollectionConverters;

/**
 * seqattn as Spark SQL functions over one model. {@link #register} makes these callable from
 * {@code spark.sql} (and from PySpark through the JVM gateway:
 * {@code spark._jvm.io.seqattn.udfs.SeqAttnFunctions.register(spark._jsparkSession, "models/dna")}):
 *
 * <ul>
 *   <li>{@code seqattn_tokenize(text string) → array<int>}: the model's tokenizer;</li>
 *   <li>{@code seqattn_summarize(tokens array<int>, start bigint) → binary}: the summary of a chunk
 *       whose first token is at position {@code start} of its sequence ({@link SummaryCodec});</li>
 *   <li>{@code seqattn_merge(summary binary) → binary}, an aggregate: the summaries of one sequence's
 *       chunks merged in position order, however Spark delivers them (exact for causal and decayed
 *       models, bitwise the CLI's state for global ones);</li>
 *   <li>{@code seqattn_attend(state binary, tokens array<int>, start bigint) → array<array<float>>}:
 *       each token's output, heads·d_head values — for a global model {@code state} is the
 *       sequence's merged summary, for a causal one the merge of the chunks before this one (null
 *       for the first chunk);</li>
 *   <li>{@code seqattn_attend_pooled(state, tokens, start) → array<float>}: the same chunk's pooled
 *       embedding (mean over its present positions, times wo when the model has it). Embeddings are
 *       linear in the mean, so a sequence's embedding is the token-count-weighted mean of its chunks';</li>
 *   <li>{@code seqattn_query(state binary, q array<float>) → array<float>}: the readout
 *       φ(q)ᵀS / (φ(q)ᵀz + eps) per head for an arbitrary raw query vector of heads·d_head values.</li>
 * </ul>
 *
 * The model travels to executors once, as a broadcast; kernels are built per task thread. A null
 * argument, a vector of the wrong length or a summary made by another model is an error naming the
 * function and what was wrong.
 */
public final class SeqAttnFunctions {
  private SeqAttnFunctions() {}

  /** Loads the model directory and registers the functions with {@code spark}; returns the model. */
  public static Model register(SparkSession spark, String modelDir) throws IOException {
    Model model = Model.load(Path.of(modelDir));
    register(spark, model);
    return model;
  }

  /** Registers the functions for an already loaded model. */
  public static void register(SparkSession spark, Model model) {
    SeqAttnKryo.check(spark.sparkContext().getConf(), "SeqAttnFunctions.register");
    Broadcast<Model> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
    String fp = model.fingerprint();
    spark.udf().register("seqattn_tokenize", (UDF1<String, int[]>) text -> tokenize(b.value(),
        require("seqattn_tokenize", "text", text)), DataTypes.createArrayType(DataTypes.IntegerType));
    spark.udf().register("seqattn_summarize", (UDF2<Object, Object, byte[]>) (tokens, start) -> {
      long position = position("seqattn_summarize", start);
      return SummaryCodec.toBytes(new SummaryCodec.Positioned(fp, position,
          TaskKernels.of(b.value()).summarize(ints("seqattn_summarize", tokens), position)));
    }, DataTypes.BinaryType);
    spark.udf().register("seqattn_merge", functions.udaf(new SummaryMerge(fp), Encoders.BINARY()));
    spark.udf().register("seqattn_attend", (UDF3<byte[], Object, Object, float[][]>) (state, tokens, start) -> {
      ChunkOutputs o = attend(b.value(), "seqattn_attend", state, tokens, start, true);
      int width = b.value().config().innerDim();
      float[][] rows = new float[o.outputs().length / width][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = java.util.Arrays.copyOfRange(o.outputs(), i * width, (i + 1) * width);
      }
      return rows;
    }, DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)));
    spark.udf().register("seqattn_attend_pooled", (UDF3<byte[], Object, Object, float[]>) (state, tokens, start) ->
        Pooling.embedding(b.value(), attend(b.value(), "seqattn_attend_pooled", state, tokens, start, false).pooled()),
        DataTypes.createArrayType(DataTypes.FloatType));
    spark.udf().register("seqattn_query", (UDF2<byte[], Object, float[]>) (state, q) -> {
      Summary s = decode(b.value(), "seqattn_query", require("seqattn_query", "state", state)).summary();
      return Readout.query(b.value(), s, floats("seqattn_query", q));
    }, DataTypes.createArrayType(DataTypes.FloatType));
  }

  static int[] tokenize(Model model, String text) {
    Tokenizer tokenizer = model.config().tokenizer().newTokenizer();
    TokenBuffer out = new TokenBuffer();
    try {
      tokenizer.feed(text, 0, text.length(), out);
    } catch (io.seqattn.core.tokenize.InvalidSymbolException e) {
      throw new IllegalArgumentException("seqattn_tokenize: character " + (e.index() + 1) + ": " + e.getMessage(), e);
    }
    tokenizer.finish(out);
    return out.take(out.size());
  }

  private static ChunkOutputs attend(Model model, String function, byte[] state, Object tokens, Object start,
      boolean keep) {
    int[] t = ints(function, tokens);
    long s = position(function, start);
    Summary context = state == null ? null : decode(model, function, state).summary();
    if (model.config().causal()) {
      return TaskKernels.of(model).attendCausal(t, s, context, keep);
    }
    return TaskKernels.of(model).attend(t, s, require(function, "state", context), keep);
  }

  /** A summary argument, checked to come from this function set's model. */
  static SummaryCodec.Positioned decode(Model model, String function, byte[] bytes) {
    SummaryCodec.Positioned p;
    try {
      p = SummaryCodec.fromBytes(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(function + ": " + e.getMessage(), e);
    }
    if (!p.fingerprint().equals(model.fingerprint())) {
      throw new IllegalArgumentException(function + ": the summary was made by model " + p.fingerprint()
          + ", not by the registered model " + model.fingerprint());
    }
    return p;
  }

  /** array<int> as Spark hands it to a Java UDF (a Scala Seq), checked for nulls. */
  static int[] ints(String function, Object tokens) {
    List<?> list = seq(function, "tokens", tokens);
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = list.get(i);
      if (v == null) {
        throw new IllegalArgumentException(function + ": tokens[" + i + "] is null");
      }
      out[i] = (Integer) v;
    }
    return out;
  }

  static float[] floats(String function, Object values) {
    List<?> list = seq(function, "q", values);
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = list.get(i);
      if (v == null) {
        throw new IllegalArgumentException(function + ": q[" + i + "] is null");
      }
      out[i] = ((Number) v).floatValue();
    }
    return out;
  }

  private static List<?> seq(String function, String argument, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(function + ": " + argument + " is null");
    }
    if (value instanceof scala.collection.Seq<?> s) {
      return CollectionConverters.asJava(s);
    }
    throw new IllegalArgumentException(function + ": " + argument + " must be an array, got " + value.getClass());
  }

  /** A start position of any SQL integral type (Java UDFs get no implicit casts). */
  static long position(String function, Object start) {
    if (start instanceof Long || start instanceof Integer || start instanceof Short || start instanceof Byte) {
      long p = ((Number) start).longValue();
      if (p < 0) {
        throw new IllegalArgumentException(function + ": start must be >= 0, got " + p);
      }
      return p;
    }
    throw new IllegalArgumentException(function + ": start must be an integer position, got "
        + (start == null ? "null" : start.getClass().getSimpleName()));
  }

  static <T> T require(String function, String argument, T value) {
    if (value == null) {
      throw new IllegalArgumentException(function + ": " + argument + " is null");
    }
    return value;
  }
}
