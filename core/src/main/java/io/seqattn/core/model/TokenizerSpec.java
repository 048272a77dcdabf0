package io.seqattn.core.model;

import io.seqattn.core.tokenize.ByteTokenizer;
import io.seqattn.core.tokenize.DnaKmerTokenizer;
import io.seqattn.core.tokenize.Tokenizer;
import io.seqattn.core.tokenize.WordHashTokenizer;
import java.io.Serializable;

/**
 * The tokenizer section of a model's config: which tokenizer, with its parameters. Only the fields
 * meaningful for the type are set ({@code k}/{@code stride} for dna, {@code vocabSize} for words);
 * the others are zero.
 */
public record TokenizerSpec(Type type, int k, int stride, int vocabSize) implements Serializable {

  /** The tokenizer families; each name is the one used in {@code config.json}. */
  public enum Type {
    DNA("dna"),
    BYTES("bytes"),
    WORDS("words");

    private final String configName;

    Type(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    public static Type fromConfigName(String name) {
      for (Type t : values()) {
        if (t.configName.equals(name)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown tokenizer type '" + name + "' (expected dna, bytes or words)");
    }
  }

  /** The largest k whose vocabulary 4^k + 1 still fits an int id. */
  public static final int MAX_K = 15;

  public TokenizerSpec {
    switch (type) {
      case DNA -> {
        if (k < 1 || k > MAX_K) {
          throw new IllegalArgumentException("tokenizer.k must be in [1, " + MAX_K + "], got " + k);
        }
        if (stride < 1) {
          throw new IllegalArgumentException("tokenizer.stride must be >= 1, got " + stride);
        }
      }
      case WORDS -> {
        if (vocabSize < 2) {
          throw new IllegalArgumentException("tokenizer.vocab_size must be >= 2, got " + vocabSize);
        }
      }
      case BYTES -> { }
    }
  }

  public static TokenizerSpec dna(int k, int stride) {
    return new TokenizerSpec(Type.DNA, k, stride, 0);
  }

  public static TokenizerSpec bytes() {
    return new TokenizerSpec(Type.BYTES, 0, 0, 0);
  }

  public static TokenizerSpec words(int vocabSize) {
    return new TokenizerSpec(Type.WORDS, 0, 0, vocabSize);
  }

  /** Number of distinct token ids: 4^k + 1 for dna, 256 for bytes, vocab_size for words. */
  public int vocabularySize() {
    return switch (type) {
      case DNA -> (1 << (2 * k)) + 1;
      case BYTES -> ByteTokenizer.VOCAB_SIZE;
      case WORDS -> vocabSize;
    };
  }

  /** A fresh tokenizer for this spec. Tokenizers are cheap and not thread-safe. */
  public Tokenizer newTokenizer() {
    return switch (type) {
      case DNA -> new DnaKmerTokenizer(k, stride);
      case BYTES -> new ByteTokenizer();
      case WORDS -> new WordHashTokenizer(vocabSize);
    };
  }
}
