package io.seqattn.udfs;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * seqattn under Spark's Kryo serializer ({@code spark.serializer=…KryoSerializer}, common on shared
 * clusters). seqattn's values — summaries, chunks, model configs — are Java records, whose final
 * fields the Kryo bundled with Spark cannot set; this registrator makes Kryo hand every record to
 * Java serialization (records are all Serializable here) and leaves everything else to Kryo.
 *
 * <p>The CLI adds it by itself when the configuration asks for Kryo ({@link #configure}); a library
 * user with a Kryo session sets {@code spark.kryo.registrator=io.seqattn.udfs.SeqAttnKryo}, and the
 * SQL functions and the encoder refuse to start without it ({@link #check}) instead of failing
 * inside a task.
 */
public final class SeqAttnKryo implements KryoRegistrator {
  static final String SERIALIZER = "spark.serializer";
  static final String REGISTRATORS = "spark.kryo.registrator";
  static final String REGISTRATION_REQUIRED = "spark.kryo.registrationRequired";

  @Override
  public void registerClasses(Kryo kryo) {
    kryo.addDefaultSerializer(Record.class, new JavaSerializer());
  }

  /** Whether the configuration serializes with Kryo. */
  public static boolean usesKryo(SparkConf conf) {
    return conf.get(SERIALIZER, "").endsWith("KryoSerializer");
  }

  /**
   * Adds this registrator to a configuration that uses Kryo, before the SparkContext starts.
   *
   * @throws IllegalArgumentException when Kryo must know every class in advance
   *     ({@code spark.kryo.registrationRequired=true}), which seqattn's rows cannot satisfy
   */
  public static void configure(SparkConf conf) {
    if (!usesKryo(conf) || registered(conf)) {
      return;
    }
    if (conf.getBoolean(REGISTRATION_REQUIRED, false)) {
      throw new IllegalArgumentException(REGISTRATION_REQUIRED + "=true: seqattn's rows cannot all be registered "
          + "with Kryo in advance (run with --conf " + REGISTRATION_REQUIRED + "=false, or --conf " + SERIALIZER
          + "=org.apache.spark.serializer.JavaSerializer)");
    }
    String others = conf.get(REGISTRATORS, "").strip();
    conf.set(REGISTRATORS, others.isEmpty() ? SeqAttnKryo.class.getName() : others + "," + SeqAttnKryo.class.getName());
  }

  /**
   * Refuses a running session whose Kryo serializer lacks this registrator, naming the setting:
   * called before anything of seqattn is broadcast or shuffled.
   */
  public static void check(SparkConf conf, String who) {
    if (usesKryo(conf) && !registered(conf)) {
      throw new IllegalStateException(who + ": the session serializes with Kryo (" + SERIALIZER + "), which cannot "
          + "serialize seqattn's records: start it with " + REGISTRATORS + "=" + SeqAttnKryo.class.getName()
          + " (or with Spark's default JavaSerializer)");
    }
  }

  private static boolean registered(SparkConf conf) {
    return Arrays.stream(conf.get(REGISTRATORS, "").split(",")).map(String::strip)
        .anyMatch(SeqAttnKryo.class.getName()::equals);
  }
}
