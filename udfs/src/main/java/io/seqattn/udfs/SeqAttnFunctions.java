package io.seqattn.udfs;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.Readout;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.attention.SummaryCodec;
import io.seqattn.core.mixer.Mixers;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.network.OneLayerNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

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
 * Without touching the JVM, {@link SeqAttnSessionExtensions} registers the same functions in every
 * session of an application started with {@code spark.sql.extensions}, for the model named by
 * {@code spark.seqattn.model}.
 *
 * <p>The model travels to executors once, as a broadcast; kernels are built per task thread. A null
 * argument, a vector of the wrong length or a summary made by another model is an error naming the
 * function and what was wrong.
 */
public final class SeqAttnFunctions {
  private SeqAttnFunctions() {}

  /** Loads the model directory and registers the functions with {@code spark}; returns the model. */
  public static Model register(SparkSession spark, String modelDir) throws IOException {
    Model model = ModelDirectory.load(Path.of(modelDir));
    register(spark, model);
    return model;
  }

  /** Registers the functions for an already loaded model. */
  public static void register(SparkSession spark, Model model) {
    for (Map.Entry<String, UserDefinedFunction> f : functions(spark, model).entrySet()) {
      spark.udf().register(f.getKey(), f.getValue());
    }
  }

  /** One function's name, its arguments and a line on what it returns: what DESCRIBE FUNCTION shows. */
  public record Signature(String name, List<String> arguments, String usage) {
    /** {@code name(a, b)}, as error messages and documentation write a call. */
    public String call() {
      return name + "(" + String.join(", ", arguments) + ")";
    }
  }

  /** Every function, in the order the class documentation lists them. */
  public static final List<Signature> SIGNATURES = List.of(
      new Signature("seqattn_tokenize", List.of("text"), "the model's tokens of text (array<int>)"),
      new Signature("seqattn_summarize", List.of("tokens", "start"),
          "the summary (binary) of a chunk of tokens whose first token is at position start of its sequence"),
      new Signature("seqattn_merge", List.of("summary"),
          "aggregate: one sequence's chunk summaries merged in position order, whatever order they arrive in"),
      new Signature("seqattn_attend", List.of("state", "tokens", "start"),
          "each token's output (array<array<float>>) against the sequence's state (global model) or the"
              + " merge of the chunks before this one (causal model; null for the first chunk)"),
      new Signature("seqattn_attend_pooled", List.of("state", "tokens", "start"),
          "the chunk's pooled embedding (array<float>): the mean of its outputs, times wo if the model has it"),
      new Signature("seqattn_query", List.of("state", "q"),
          "phi(q)^T S / (phi(q)^T z + eps) per head (array<float>) for a raw query vector q of heads*d_head values"));

  /**
   * The functions for one model, by the names of {@link #SIGNATURES}, for {@code spark.udf().register}
   * or a session extension. Broadcasts the model once for all of them.
   */
  public static Map<String, UserDefinedFunction> functions(SparkSession spark, Model model) {
    SeqAttnKryo.check(spark.sparkContext().getConf(), "SeqAttnFunctions.register");
    Broadcast<OneLayerNetwork> b = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new OneLayerNetwork(model, Mixers.linear(model.config())));
    String fp = model.fingerprint();
    Map<String, UserDefinedFunction> f = new LinkedHashMap<>();
    f.put("seqattn_tokenize", functions.udf((UDF1<String, int[]>) text ->
        SqlArguments.tokenize("seqattn_tokenize", b.value().tokenizer(), text),
        DataTypes.createArrayType(DataTypes.IntegerType)));
    f.put("seqattn_summarize", functions.udf((UDF2<Object, Object, byte[]>) (tokens, start) -> {
      long position = SqlArguments.position("seqattn_summarize", start);
      int[] t = SqlArguments.ints("seqattn_summarize", tokens);
      return SummaryCodec.toBytes(new SummaryCodec.Positioned(fp, position,
          (Summary) TaskKernels.of(b.value()).summarize(0, t, position, List.of())));
    }, DataTypes.BinaryType));
    f.put("seqattn_merge", functions.udaf(new SummaryMerge(fp), Encoders.BINARY()));
    f.put("seqattn_attend", functions.udf((UDF3<byte[], Object, Object, float[][]>) (state, tokens, start) -> {
      ChunkOutputs o = attend(b.value(), "seqattn_attend", state, tokens, start, true);
      int width = b.value().outputWidth();
      float[][] rows = new float[o.outputs().length / width][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = Arrays.copyOfRange(o.outputs(), i * width, (i + 1) * width);
      }
      return rows;
    }, DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType))));
    f.put("seqattn_attend_pooled", functions.udf((UDF3<byte[], Object, Object, float[]>) (state, tokens, start) ->
        b.value().embedding(attend(b.value(), "seqattn_attend_pooled", state, tokens, start, false).pooled()),
        DataTypes.createArrayType(DataTypes.FloatType)));
    f.put("seqattn_query", functions.udf((UDF2<byte[], Object, float[]>) (state, q) -> {
      Summary s = SqlArguments.summary("seqattn_query", fp, SqlArguments.require("seqattn_query", "state", state))
          .summary();
      return Readout.query(b.value().model(), s, SqlArguments.floats("seqattn_query", q));
    }, DataTypes.createArrayType(DataTypes.FloatType)));
    return Collections.unmodifiableMap(f);
  }

  /**
   * Pass 2 of one chunk against its context as the model's mixer reads it: a global model's chunk
   * against its sequence's merged state, a causal one's against the state before it (null for the
   * first chunk).
   */
  private static ChunkOutputs attend(OneLayerNetwork network, String function, byte[] state, Object tokens,
      Object start, boolean keep) {
    int[] t = SqlArguments.ints(function, tokens);
    long s = SqlArguments.position(function, start);
    Summary context = state == null ? null : SqlArguments.summary(function, network.fingerprint(), state).summary();
    try {
      return TaskKernels.of(network).attend(t, s, Collections.singletonList(context), keep);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(function + ": " + e.getMessage(), e);
    }
  }
}
