package io.seqattn.job.cli;

import io.seqattn.job.input.Storage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import io.seqattn.udfs.SeqAttnKryo;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession for a command: the master from {@code --master}, else from spark-submit,
 * else {@code local[*]}; extra settings from a properties file (conf/spark-local.conf in the
 * quickstart); settings a cluster job cannot run with refused before it starts ({@link ClusterSettings}).
 */
final class SparkSessions {
  private SparkSessions() {}

  /** A session and whether this command started it (and so must stop it). */
  record Handle(SparkSession session, boolean owned) implements AutoCloseable {
    @Override
    public void close() {
      if (owned) {
        session.stop();
      }
    }
  }

  /**
   * The running session when there is one (seqattn called from an application or a test), else a
   * new one that the caller closes.
   */
  static Handle open(String appName, String master, Path confFile) throws IOException {
    if (SparkSession.getDefaultSession().isDefined()) {
      SparkSession running = SparkSession.getDefaultSession().get();
      try {
        SeqAttnKryo.check(running.sparkContext().getConf(), appName);
      } catch (IllegalStateException e) {
        throw new SeqAttn.UserException(e.getMessage());
      }
      Storage.configure(running.sparkContext().hadoopConfiguration());
      return new Handle(running, false);
    }
    SparkSession created = create(appName, master, confFile);
    Storage.configure(created.sparkContext().hadoopConfiguration()); // spark.hadoop.* for inputs on the driver
    return new Handle(created, true);
  }

  private static SparkSession create(String appName, String master, Path confFile) throws IOException {
    SparkConf conf = new SparkConf().setAppName(appName);
    if (confFile != null) {
      Properties props = new Properties();
      try (Reader in = Files.newBufferedReader(confFile)) {
        props.load(in);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new SeqAttn.UserException(confFile + ": Spark configuration file not found");
      }
      props.stringPropertyNames().forEach(k -> conf.set(k, props.getProperty(k).strip()));
    }
    try {
      SeqAttnKryo.configure(conf); // a cluster's Kryo default: seqattn's records go through Java serialization
    } catch (IllegalArgumentException e) {
      throw new SeqAttn.UserException(e.getMessage());
    }
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    ClusterSettings.problem(conf, conf.get("spark.master")).ifPresent(problem -> {
      throw new SeqAttn.UserException(problem);
    });
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
