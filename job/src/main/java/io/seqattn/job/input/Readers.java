package io.seqattn.job.input;

import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.tokenize.DnaKmerTokenizer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;

/**
 * How a run reads its files: the format-specific reader, the model's tokenizer, the chunk size,
 * the JSONL/Parquet fields ({@code idsField}: the array of token ids of {@code --format ids}),
 * validation stringency and the FASTA reading options. Serializable, so each Spark task builds its
 * own readers from it.
 */
public record Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField, String idsField,
    Validation validation, FastaOptions fasta) implements Serializable {

  /** The default of {@code --ids-field}. */
  public static final String IDS_FIELD = "ids";

  /** Readers with strict validation. */
  public Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField) {
    this(tokenizer, chunkSize, idField, textField, Validation.STRICT);
  }

  /** Readers without FASTA reading options. */
  public Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField, Validation validation) {
    this(tokenizer, chunkSize, idField, textField, validation, FastaOptions.NONE);
  }

  /** Readers whose ids field is the default. */
  public Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField, Validation validation,
      FastaOptions fasta) {
    this(tokenizer, chunkSize, idField, textField, IDS_FIELD, validation, fasta);
  }

  /** A fresh tokenizer of the model's spec, with the FASTA options applied to a DNA tokenizer. */
  public Tokenizer newTokenizer() {
    if (tokenizer.type() == TokenizerSpec.Type.DNA) {
      return new DnaKmerTokenizer(tokenizer.k(), tokenizer.stride(), fasta.skipN(), fasta.keepSoftMask());
    }
    return tokenizer.newTokenizer();
  }

  /** A reader of {@code file}; Parquet files are read through Spark instead ({@link #chunks(Iterator)}). */
  public SequenceReader open(InputFile file) throws IOException {
    if (file.isParquet()) {
      throw new IllegalArgumentException(file.path() + ": Parquet is read as a table, not opened as a stream");
    }
    return switch (file.format()) {
      case FASTA -> new FastaReader(file);
      case TEXT -> new TextReader(file);
      case JSONL -> new JsonlReader(file, idField, textField);
      case IDS -> new IdsReader(file, idField, idsField, tokenizer.vocabularySize());
    };
  }

  /**
   * All chunks of token-id records a columnar reader delivers, streamed and chunked as every other
   * format's sequences are.
   */
  public Iterator<ReadItem> chunks(Iterator<IdsReader.Row> rows) {
    return new Chunker(new IdsReader(rows, idsField, tokenizer.vocabularySize()), newTokenizer(), chunkSize,
        validation);
  }

  /** All chunks a read task yields, streamed. */
  public Iterator<ReadItem> chunks(ReadTask task) throws IOException {
    if (task instanceof ReadTask.FastaPieces pieces) {
      return new IndexedFastaReader(pieces.file(), pieces.pieces(), this);
    }
    return chunks(((ReadTask.WholeFile) task).file());
  }

  /** All chunks of all sequences in {@code file}, streamed. */
  public Iterator<ReadItem> chunks(InputFile file) throws IOException {
    try {
      return new Chunker(open(file), newTokenizer(), chunkSize, validation);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InputException(file.path() + ": no such file");
    }
  }
}
