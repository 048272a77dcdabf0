package io.seqattn.job.plan;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's output directory, written all-or-nothing: everything goes to a hidden sibling
 * {@code .NAME.seqattn-tmp-UUID}, which is renamed to NAME only when the run succeeded, and deleted
 * otherwise. So a failed run leaves nothing that looks like a result. Existing output is refused
 * unless overwriting was asked for, in which case it is replaced only at commit.
 */
public final class OutputDirectory {
  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;

  private OutputDirectory(FileSystem fs, Path target, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.overwrite = overwrite;
    this.staging = new Path(target.getParent(), "." + target.getName() + ".seqattn-tmp-" + UUID.randomUUID());
  }

  /** Checks that the output may be written and returns a handle on its staging directory. */
  public static OutputDirectory prepare(String output, boolean overwrite, Configuration conf) throws IOException {
    Path target = new Path(output);
    FileSystem fs = target.getFileSystem(conf);
    target = fs.makeQualified(target);
    if (fs.exists(target) && !overwrite) {
      throw new OutputExistsException(output);
    }
    return new OutputDirectory(fs, target, overwrite);
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

  /** Publishes the staged output under the target name. */
  public void commit() throws IOException {
    Path old = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new OutputExistsException(target.toString());
      }
      old = new Path(target.getParent(), "." + target.getName() + ".seqattn-old-" + UUID.randomUUID());
      rename(target, old);
    }
    rename(staging, target);
    if (old != null) {
      fs.delete(old, true);
    }
  }

  /** Removes everything the run wrote. Safe to call after a failed or partial run. */
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
