package io.seqattn.job.input;

import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.tokenize.DnaKmerTokenizer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;

/**
 * How a run reads its files: the format-specific reader, the model's tokenizer, the chunk size,
 * validation stringency and the FASTA reading options. Serializable, so each Spark task builds its
 * own readers from it.
 */
public record Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField, Validation validation,
    FastaOptions fasta) implements Serializable {

  /** Readers with strict validation. */
  public Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField) {
    this(tokenizer, chunkSize, idField, textField, Validation.STRICT);
  }

  /** Readers without FASTA reading options. */
  public Readers(TokenizerSpec tokenizer, int chunkSize, String idField, String textField, Validation validation) {
    this(tokenizer, chunkSize, idField, textField, validation, FastaOptions.NONE);
  }

  /** A fresh tokenizer of the model's spec, with the FASTA options applied to a DNA tokenizer. */
  public Tokenizer newTokenizer() {
    if (tokenizer.type() == TokenizerSpec.Type.DNA) {
      return new DnaKmerTokenizer(tokenizer.k(), tokenizer.stride(), fasta.skipN(), fasta.keepSoftMask());
    }
    return tokenizer.newTokenizer();
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
