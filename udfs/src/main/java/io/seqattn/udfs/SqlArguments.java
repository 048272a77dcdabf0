package io.seqattn.udfs;

import io.seqattn.core.attention.SummaryCodec;
import java.util.List;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The arguments of seqattn's Spark SQL functions and MLlib stage as Java UDFs receive them — arrays
 * as Scala Seqs, integers of any SQL integral type, binary summaries — each checked, every problem
 * an {@link IllegalArgumentException} naming the function and the argument.
 */
final class SqlArguments {
  private SqlArguments() {}

  /** array&lt;int&gt; (a Scala Seq), checked for nulls. */
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

  /** A binary summary argument, checked to come from the model whose fingerprint is given. */
  static SummaryCodec.Positioned summary(String function, String fingerprint, byte[] bytes) {
    SummaryCodec.Positioned p;
    try {
      p = SummaryCodec.fromBytes(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(function + ": " + e.getMessage(), e);
    }
    if (!p.fingerprint().equals(fingerprint)) {
      throw new IllegalArgumentException(function + ": the summary was made by model " + p.fingerprint()
          + ", not by the registered model " + fingerprint);
    }
    return p;
  }

  /** The tokens of a text by the model's tokenizer. */
  static int[] tokenize(String function, io.seqattn.core.model.TokenizerSpec tokenizer, String text) {
    try {
      return tokenizer.tokenize(require(function, "text", text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(function + ": " + e.getMessage(), e);
    }
  }
}
