package io.seqattn.job.input;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * The files a run reads, named by a local path or by a URI of any Hadoop file system
 * ({@code hdfs://nn/genomes/chrX.fa}, {@code s3a://bucket/corpus.jsonl}, {@code file:/data/x.fa}).
 *
 * <p>A path without a scheme (or a {@code file:} URI) is read through {@code java.nio} exactly as
 * before Hadoop file systems were supported: a local read is the fastest there is and its errors
 * are the platform's own. Any other scheme goes through Hadoop's {@link FileSystem}, whose
 * {@link FSDataInputStream#read(long, byte[], int, int) positioned reads} serve the index-split
 * reads, so {@code .fai}/{@code .gzi} splits work on HDFS as on a local disk.
 *
 * <p>The Hadoop configuration is the application's: the Spark glue passes
 * {@code SparkContext.hadoopConfiguration()} to {@link #configure} on the driver and ships it to
 * the read tasks ({@link Shipped}), so {@code spark.hadoop.*} settings (credentials, endpoints)
 * apply on executors too. Until then it is {@code new Configuration()}: the {@code core-site.xml}
 * and {@code hdfs-site.xml} on the class path.
 */
public final class Storage {
  private static volatile Configuration configuration;

  private Storage() {}

  /** Makes {@code conf} the configuration of every later non-local access in this JVM. */
  public static void configure(Configuration conf) {
    configuration = conf;
  }

  private static Configuration conf() {
    Configuration c = configuration;
    if (c == null) {
      c = new Configuration();
      configuration = c;
    }
    return c;
  }

  /** Whether {@code path} is read with {@code java.nio}: no URI scheme (a drive letter is not one), or {@code file:}. */
  public static boolean isLocal(String path) {
    int colon = path.indexOf(':');
    if (colon < 2 || !path.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return true;
    }
    return path.regionMatches(true, 0, "file:", 0, 5);
  }

  /** The local path of a local name ({@link #isLocal}). */
  static Path local(String path) {
    return path.regionMatches(true, 0, "file:", 0, 5) ? Path.of(URI.create(path)) : Path.of(path);
  }

  private static org.apache.hadoop.fs.Path hadoop(String path) {
    return new org.apache.hadoop.fs.Path(path);
  }

  private static FileSystem fileSystem(String path) throws IOException {
    return hadoop(path).getFileSystem(conf());
  }

  /** The file name without directories. */
  public static String fileName(String path) {
    return isLocal(path) ? local(path).getFileName().toString() : hadoop(path).getName();
  }

  /** A local path made absolute; a URI as given. */
  public static String absolute(String path) {
    return isLocal(path) && !path.regionMatches(true, 0, "file:", 0, 5)
        ? Path.of(path).toAbsolutePath().toString() : path;
  }

  public static InputStream open(String path) throws IOException {
    return isLocal(path) ? Files.newInputStream(local(path)) : fileSystem(path).open(hadoop(path));
  }

  /** Random reads of the file's stored bytes (compressed ones included, as they are). */
  public static ByteSource openRandom(String path) throws IOException {
    if (isLocal(path)) {
      FileChannel channel = FileChannel.open(local(path), StandardOpenOption.READ);
      return new ByteSource() {
        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
          return channel.read(dst, position);
        }

        @Override
        public long size() throws IOException {
          return channel.size();
        }

        @Override
        public void close() throws IOException {
          channel.close();
        }
      };
    }
    FileSystem fs = fileSystem(path);
    long size = fs.getFileStatus(hadoop(path)).getLen();
    FSDataInputStream in = fs.open(hadoop(path));
    return new ByteSource() {
      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        if (position >= size) {
          return -1;
        }
        int n = (int) Math.min(dst.remaining(), size - position);
        int got = in.read(position, dst.array(), dst.arrayOffset() + dst.position(), n);
        if (got > 0) {
          dst.position(dst.position() + got);
        }
        return got;
      }

      @Override
      public long size() {
        return size;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  public static boolean exists(String path) throws IOException {
    return isLocal(path) ? Files.exists(local(path)) : fileSystem(path).exists(hadoop(path));
  }

  public static boolean isDirectory(String path) throws IOException {
    if (isLocal(path)) {
      return Files.isDirectory(local(path));
    }
    try {
      return fileSystem(path).getFileStatus(hadoop(path)).isDirectory();
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /** Whether {@code path} is a file that can be opened for reading. */
  public static boolean isReadableFile(String path) throws IOException {
    if (isLocal(path)) {
      return Files.isReadable(local(path)) && !Files.isDirectory(local(path));
    }
    try {
      return fileSystem(path).getFileStatus(hadoop(path)).isFile();
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  public static long size(String path) throws IOException {
    return isLocal(path) ? Files.size(local(path)) : fileSystem(path).getFileStatus(hadoop(path)).getLen();
  }

  /** Last modification, in milliseconds since the epoch. */
  public static long modified(String path) throws IOException {
    return isLocal(path) ? Files.getLastModifiedTime(local(path)).toMillis()
        : fileSystem(path).getFileStatus(hadoop(path)).getModificationTime();
  }

  /** The regular files directly inside directory {@code dir}, by name. */
  public static List<String> list(String dir) throws IOException {
    List<String> files = new ArrayList<>();
    if (isLocal(dir)) {
      try (Stream<Path> listing = Files.list(local(dir))) {
        listing.filter(Files::isRegularFile).sorted().forEach(p -> files.add(p.toAbsolutePath().toString()));
      }
      return files;
    }
    for (FileStatus s : fileSystem(dir).listStatus(hadoop(dir))) {
      if (s.isFile()) {
        files.add(s.getPath().toString());
      }
    }
    files.sort(null);
    return files;
  }

  /**
   * The files a path names: itself when a file; a directory's regular files, by name; a glob's
   * ({@code genomes/*.fa}, Hadoop's syntax) matching files, by name. Local results are absolute paths.
   *
   * @throws FileNotFoundException when nothing is there or the glob matches nothing
   */
  public static List<String> expand(String path) throws IOException {
    if (path.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
      String pattern = isLocal(path) ? local(path).toAbsolutePath().toUri().toString() : path;
      FileStatus[] matches = fileSystem(pattern).globStatus(hadoop(pattern));
      List<String> files = new ArrayList<>();
      for (FileStatus s : matches == null ? new FileStatus[0] : matches) {
        if (s.isFile()) {
          files.add(isLocal(path) ? Path.of(s.getPath().toUri()).toString() : s.getPath().toString());
        }
      }
      if (files.isEmpty()) {
        throw new FileNotFoundException(path + ": no file matches");
      }
      files.sort(null);
      return files;
    }
    if (isDirectory(path)) {
      return list(path);
    }
    if (!isReadableFile(path)) {
      throw new FileNotFoundException(path + ": no such file or directory");
    }
    return List.of(absolute(path));
  }

  /** Every regular file under {@code path} (itself, when a file), for sizing. */
  public static long totalSize(String path) throws IOException {
    if (isLocal(path)) {
      Path p = local(path);
      if (!Files.isDirectory(p)) {
        return Files.size(p);
      }
      try (Stream<Path> files = Files.walk(p)) {
        return files.filter(Files::isRegularFile).mapToLong(f -> {
          try {
            return Files.size(f);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }).sum();
      }
    }
    return fileSystem(path).getContentSummary(hadoop(path)).getLength();
  }

  public static byte[] readAllBytes(String path) throws IOException {
    try (InputStream in = open(path)) {
      return in.readAllBytes();
    }
  }

  /**
   * Writes {@code bytes} as {@code path}: to a temporary name beside it, then renamed into place,
   * so no reader sees half a file. On a local disk the rename is atomic and replaces; on a Hadoop
   * file system an existing file is deleted first (HDFS renames atomically but does not replace).
   * Fails (and leaves nothing) where the directory is not writable — callers that only cache an
   * index there go on without it.
   */
  public static void writeAtomically(String path, byte[] bytes) throws IOException {
    String tmp = path + ".tmp";
    if (isLocal(path)) {
      Path target = local(path);
      Path temp = local(tmp);
      try (OutputStream os = Files.newOutputStream(temp)) {
        os.write(bytes);
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    FileSystem fs = fileSystem(path);
    try (OutputStream os = fs.create(hadoop(tmp), true)) {
      os.write(bytes);
    }
    try {
      fs.delete(hadoop(path), false);
      if (!fs.rename(hadoop(tmp), hadoop(path))) {
        throw new IOException(path + ": could not rename " + tmp + " into place");
      }
    } catch (IOException e) {
      fs.delete(hadoop(tmp), false);
      throw e;
    }
  }

  /**
   * Copies the directory {@code dir} of a Hadoop file system, recursively, to the new local
   * directory {@code target} (without Hadoop's {@code .crc} side files).
   *
   * @throws FileNotFoundException when {@code dir} is not a directory there
   */
  public static void copyDirectoryToLocal(String dir, Path target) throws IOException {
    FileSystem fs = fileSystem(dir);
    if (!isDirectory(dir)) {
      throw new FileNotFoundException(dir + ": model directory does not exist");
    }
    for (FileStatus s : fs.listStatus(hadoop(dir))) {
      fs.copyToLocalFile(false, s.getPath(), new org.apache.hadoop.fs.Path(target.resolve(s.getPath().getName())
          .toString()), true);
    }
  }

  /**
   * A Hadoop configuration that travels with a Spark task (a {@link Configuration} is not
   * {@link Serializable}, only {@code Writable}), so executors read with the driver's settings.
   */
  public static final class Shipped implements Serializable {
    private static final long serialVersionUID = 1L;
    private final byte[] written;

    public Shipped(Configuration conf) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        conf.write(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      this.written = bytes.toByteArray();
    }

    /** Makes the shipped configuration this JVM's ({@link #configure}), once per JVM and configuration. */
    public void install() {
      synchronized (Shipped.class) {
        if (Arrays.equals(installed, written)) {
          return;
        }
        Configuration conf = new Configuration(false);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(written))) {
          conf.readFields(in);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        configure(conf);
        installed = written;
      }
    }

    private static byte[] installed;
  }
}
