package io.seqattn.job.tracks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Sequence lengths in bases, by name, as a track needs them to clip its last interval and as
 * {@code bedGraphToBigWig} checks them: read from a samtools {@code .fai} or a UCSC
 * {@code chrom.sizes} file — both start each line with {@code name<TAB>length}; further columns are
 * ignored. Files are read through Hadoop's {@link FileSystem}, so they may live beside an input on
 * any file system the run read.
 */
public final class ChromSizes {
  private final Map<String, Long> sizes = new LinkedHashMap<>();
  private final Map<String, String> origins = new LinkedHashMap<>();

  /** The length of {@code name} in bases, or −1 when no file read so far names it. */
  public long size(String name) {
    return sizes.getOrDefault(name, -1L);
  }

  /** The file (and line) a sequence's length came from, for messages. */
  public String origin(String name) {
    return origins.get(name);
  }

  public boolean isEmpty() {
    return sizes.isEmpty();
  }

  /**
   * Adds the lengths in {@code file}. A name given twice with different lengths, here or in an
   * earlier file, is an error: the files describe different assemblies.
   *
   * @throws TrackException naming {@code FILE:LINE} for a malformed line or a contradiction
   */
  public void read(String file, Configuration conf) throws IOException {
    Path path = new Path(file);
    FileSystem fs = path.getFileSystem(conf);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(path), StandardCharsets.UTF_8))) {
      String line;
      long number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t", -1);
        String where = file + ":" + number;
        long length;
        try {
          if (fields.length < 2 || fields[0].isEmpty()) {
            throw new NumberFormatException();
          }
          length = Long.parseLong(fields[1].strip());
        } catch (NumberFormatException e) {
          throw new TrackException(where + ": expected 'name<TAB>length' (a .fai or chrom.sizes line), got '"
              + abbreviate(line) + "'");
        }
        if (length < 0) {
          throw new TrackException(where + ": negative length " + length + " for '" + fields[0] + "'");
        }
        Long before = sizes.putIfAbsent(fields[0], length);
        if (before == null) {
          origins.put(fields[0], where);
        } else if (before != length) {
          throw new TrackException(where + ": '" + fields[0] + "' has length " + length + " here but " + before
              + " in " + origins.get(fields[0]) + " (sizes from two assemblies?)");
        }
      }
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 60 ? line : line.substring(0, 57) + "...";
  }
}
