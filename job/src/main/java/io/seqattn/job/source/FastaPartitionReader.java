package io.seqattn.job.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.ReadTask;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.Storage;
import java.io.IOException;
import java.util.Iterator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.unsafe.types.UTF8String;

/** Streams one read task's chunks as rows of {@link FastaDataSource#SCHEMA}. */
final class FastaPartitionReader implements PartitionReader<InternalRow> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Iterator<ReadItem> chunks;
  private final UTF8String source;
  private InternalRow current;

  private FastaPartitionReader(Iterator<ReadItem> chunks, String source) {
    this.chunks = chunks;
    this.source = UTF8String.fromString(source);
  }

  @Override
  public boolean next() {
    if (!chunks.hasNext()) {
      return false;
    }
    Chunk c = (Chunk) chunks.next(); // strict reading: a malformed record throws, it is never skipped
    current = new GenericInternalRow(new Object[] {UTF8String.fromString(c.seqId()), description(c), c.index(),
        c.start(), UnsafeArrayData.fromPrimitiveArray(c.tokens()), source});
    return true;
  }

  private static UTF8String description(Chunk c) {
    if (c.info() == null || c.info().fields() == null) {
      return null;
    }
    try {
      JsonNode d = JSON.readTree(c.info().fields()).get("description");
      return d == null ? null : UTF8String.fromString(d.asText());
    } catch (IOException e) {
      throw new IllegalStateException("header fields of '" + c.seqId() + "' are not JSON", e);
    }
  }

  @Override
  public InternalRow get() {
    return current;
  }

  @Override
  public void close() throws IOException {
    if (chunks instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }

  /** Builds the readers on executors, with the driver's Hadoop configuration. */
  record Factory(Readers readers, Storage.Shipped hadoop) implements org.apache.spark.sql.connector.read.PartitionReaderFactory {
    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      hadoop.install();
      ReadTask task = ((FastaTable.FastaPartition) partition).task();
      try {
        String file = task instanceof ReadTask.FastaPieces p ? p.file().path()
            : ((ReadTask.WholeFile) task).file().path();
        return new FastaPartitionReader(readers.chunks(task), file);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
