package io.seqattn.job.plan;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's output directory, written all-or-nothing, by one of two {@link Commit commit protocols}.
 *
 * <p>Where renaming a directory is atomic (HDFS, a local disk: {@link Commit#RENAME}) everything
 * goes to a hidden sibling {@code .NAME.seqattn-tmp-UUID}, which is renamed to NAME only when the
 * run succeeded, and deleted otherwise. So a failed run leaves nothing that looks like a result.
 * Existing output is refused unless overwriting was asked for, in which case it is replaced only at
 * commit.
 *
 * <p>On object stores ({@code s3a://}, {@code gs://}, {@code abfs://}, …: {@link Commit#IN_PLACE})
 * a "rename" copies every object, slowly and not atomically, so the run writes in place and
 * publishes itself last: {@code run.json} is the last file the run writes (readers of a run —
 * {@code export}, {@code --continue-from} — refuse a directory without it), then an empty
 * {@code _SUCCESS}. A failed run deletes what it wrote; with {@code --overwrite} the old output is
 * deleted before the run starts, since it cannot be swapped out at the end.
 *
 * <p>The Hadoop setting {@value #COMMIT_KEY} ({@code rename} or {@code in-place}; from Spark,
 * {@code spark.hadoop.seqattn.output.commit}) overrides the choice by scheme.
 */
public final class OutputDirectory {
  /** Hadoop configuration key choosing the commit protocol against the scheme's default. */
  public static final String COMMIT_KEY = "seqattn.output.commit";
  /** The marker written after everything else. */
  public static final String SUCCESS = "_SUCCESS";

  /** How a finished run becomes visible under its name. */
  public enum Commit {
    /** Write a hidden sibling, rename it into place: atomic where renames are. */
    RENAME,
    /** Write under the name itself, {@code run.json} and {@code _SUCCESS} last: for object stores. */
    IN_PLACE;

    /** Schemes of object stores, whose renames copy. */
    private static final java.util.Set<String> OBJECT_STORES = java.util.Set.of("s3", "s3a", "s3n", "gs", "abfs",
        "abfss", "wasb", "wasbs", "oss", "cos", "cosn", "obs");

    static Commit of(Path target, Configuration conf) {
      String chosen = conf.get(COMMIT_KEY);
      if (chosen != null) {
        return switch (chosen.strip().toLowerCase(java.util.Locale.ROOT)) {
          case "rename" -> RENAME;
          case "in-place" -> IN_PLACE;
          default -> throw new IllegalArgumentException(COMMIT_KEY + " must be rename or in-place, got '" + chosen + "'");
        };
      }
      String scheme = target.toUri().getScheme();
      return scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(java.util.Locale.ROOT)) ? IN_PLACE : RENAME;
    }
  }

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;
  private final Commit commit;

  private OutputDirectory(FileSystem fs, Path target, boolean overwrite, Commit commit) {
    this.fs = fs;
    this.target = target;
    this.overwrite = overwrite;
    this.commit = commit;
    this.staging = commit == Commit.IN_PLACE ? target
        : new Path(target.getParent(), "." + target.getName() + ".seqattn-tmp-" + UUID.randomUUID());
  }

  /** Checks that the output may be written and returns a handle on its staging directory. */
  public static OutputDirectory prepare(String output, boolean overwrite, Configuration conf) throws IOException {
    Path target = new Path(output);
    FileSystem fs = target.getFileSystem(conf);
    target = fs.makeQualified(target);
    if (fs.exists(target) && !overwrite) {
      throw new OutputExistsException(output);
    }
    Commit commit = Commit.of(target, conf);
    if (commit == Commit.IN_PLACE && fs.exists(target)) {
      fs.delete(target, true); // --overwrite: in place, the old output cannot be swapped out at the end
    }
    return new OutputDirectory(fs, target, overwrite, commit);
  }

  /** The protocol this output is committed by. */
  public Commit commitProtocol() {
    return commit;
  }

  /** Where the run writes; a URI string Spark's writers accept. */
  public String staging() {
    return staging.toString();
  }

  public String staging(String child) {
    return new Path(staging, child).toString();
  }

  public String target() {
    return target.toString();
  }

  public FileSystem fileSystem() {
    return fs;
  }

  /**
   * Publishes the staged output under the target name (in place: marks it finished), ending with
   * {@value #SUCCESS}. Called after {@code run.json} is written.
   */
  public void commit() throws IOException {
    if (commit == Commit.IN_PLACE) {
      fs.create(new Path(target, SUCCESS), true).close();
      return;
    }
    Path old = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new OutputExistsException(target.toString());
      }
      old = new Path(target.getParent(), "." + target.getName() + ".seqattn-old-" + UUID.randomUUID());
      rename(target, old);
    }
    fs.create(new Path(staging, SUCCESS), true).close();
    rename(staging, target);
    if (old != null) {
      fs.delete(old, true);
    }
  }

  /**
   * Removes everything the run wrote (in place: the output directory itself). Safe to call after a
   * failed or partial run.
   */
  public void abort() {
    try {
      fs.delete(staging, true);
    } catch (IOException ignored) {
      // best effort: the staging name is hidden and never mistaken for a result
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
  }

  /** The output directory exists and overwriting was not asked for. */
  public static final class OutputExistsException extends IOException {
    OutputExistsException(String output) {
      super(output + ": output already exists (choose another --output or pass --overwrite)");
    }
  }
}
