package io.seqattn.job.input;

import io.seqattn.core.model.TokenizerSpec;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;

/**
 * How a run reads its files: the format-specific reader, the model's tokenizer and the chunk
 * size. Serializable, so each Spark task builds its own readers from it.
 */
public record Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField, Validation validation)
    implements Serializable {

  /** Readers with strict validation. */
  public Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField) {
    this(tokenizer, chunkSize, idField, textField, Validation.STRICT);
  }

  public SequenceReader open(InputFile file) throws IOException {
    return switch (file.format()) {
      case FASTA -> new FastaReader(file);
      case TEXT -> new TextReader(file);
      case JSONL -> new JsonlReader(file, idField, textField);
    };
  }

  /** All chunks a read task yields, streamed. */
  public Iterator<ReadItem> chunks(ReadTask task) throws IOException {
    if (task instanceof ReadTask.FastaPieces pieces) {
      return new IndexedFastaReader(pieces.file(), pieces.pieces(), tokenizer, chunkSize, validation);
    }
    return chunks(((ReadTask.WholeFile) task).file());
  }

  /** All chunks of all sequences in {@code file}, streamed. */
  public Iterator<ReadItem> chunks(InputFile file) throws IOException {
    try {
      return new Chunker(open(file), tokenizer.newTokenizer(), chunkSize, validation);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InputException(file.path() + ": no such file");
    } catch (java.util.zip.ZipException e) {
      throw new InputException(file.path() + ": not a gzip file (" + e.getMessage() + ")");
    }
  }
}
