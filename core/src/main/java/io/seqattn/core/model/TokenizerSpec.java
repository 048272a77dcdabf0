package io.seqattn.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.tokenize.ByteTokenizer;
import io.seqattn.core.tokenize.DnaKmerTokenizer;
import io.seqattn.core.tokenize.IdsTokenizer;
import io.seqattn.core.tokenize.InvalidSymbolException;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import io.seqattn.core.tokenize.WordHashTokenizer;
import java.io.Serializable;
import java.util.Set;

/**
 * The tokenizer section of a model's config: which tokenizer, with its parameters. Only the fields
 * meaningful for the type are set ({@code k}/{@code stride} for dna, {@code vocabSize} for words
 * and ids); the others are zero. {@code ids} reads token ids chosen by a tokenizer upstream (a
 * model trained elsewhere), written as decimal integers.
 */
public record TokenizerSpec(Type type, int k, int stride, int vocabSize) implements Serializable {

  /** The tokenizer families; each name is the one used in {@code config.json}. */
  public enum Type {
    DNA("dna"),
    BYTES("bytes"),
    WORDS("words"),
    IDS("ids");

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
      throw new IllegalArgumentException("unknown tokenizer type '" + name + "' (expected dna, bytes, words or ids)");
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
      case IDS -> {
        if (vocabSize < 1) {
          throw new IllegalArgumentException("tokenizer.vocab_size must be >= 1, got " + vocabSize);
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

  /** Ids chosen upstream, each in [0, vocabSize). */
  public static TokenizerSpec ids(int vocabSize) {
    return new TokenizerSpec(Type.IDS, 0, 0, vocabSize);
  }

  /** Number of distinct token ids: 4^k + 1 for dna, 256 for bytes, vocab_size for words and ids. */
  public int vocabularySize() {
    return switch (type) {
      case DNA -> (1 << (2 * k)) + 1;
      case BYTES -> ByteTokenizer.VOCAB_SIZE;
      case WORDS, IDS -> vocabSize;
    };
  }

  /** The {@code tokenizer} object of a config.json; problems name the field, e.g. {@code tokenizer.k}. */
  public static TokenizerSpec fromJson(JsonNode tok) {
    if (!tok.isObject()) {
      throw new IllegalArgumentException("'tokenizer' must be an object");
    }
    return switch (Type.fromConfigName(JsonFields.text(tok, "type", "type"))) {
      case DNA -> {
        JsonFields.rejectUnknown(tok, Set.of("type", "k", "stride"), "tokenizer.");
        yield dna(JsonFields.integer(tok, "k", "tokenizer.k"),
            tok.has("stride") ? JsonFields.integer(tok, "stride", "tokenizer.stride") : 1);
      }
      case BYTES -> {
        JsonFields.rejectUnknown(tok, Set.of("type"), "tokenizer.");
        yield bytes();
      }
      case WORDS -> {
        JsonFields.rejectUnknown(tok, Set.of("type", "vocab_size"), "tokenizer.");
        yield words(JsonFields.integer(tok, "vocab_size", "tokenizer.vocab_size"));
      }
      case IDS -> {
        JsonFields.rejectUnknown(tok, Set.of("type", "vocab_size"), "tokenizer.");
        yield ids(JsonFields.integer(tok, "vocab_size", "tokenizer.vocab_size"));
      }
    };
  }

  /** Writes this spec's fields into the {@code tokenizer} object of a config.json, in canonical order. */
  public void writeJson(ObjectNode tok) {
    tok.put("type", type.configName());
    switch (type) {
      case DNA -> {
        tok.put("k", k);
        tok.put("stride", stride);
      }
      case WORDS, IDS -> tok.put("vocab_size", vocabSize);
      case BYTES -> { }
    }
  }

  /**
   * All token ids of one whole text, as the model's tokenizer reads it (for texts that fit in
   * memory: SQL functions, the encoder).
   *
   * @throws IllegalArgumentException naming the character (1-based) the tokenizer cannot read
   */
  public int[] tokenize(String text) {
    Tokenizer tokenizer = newTokenizer();
    TokenBuffer out = new TokenBuffer();
    try {
      tokenizer.feed(text, 0, text.length(), out);
    } catch (InvalidSymbolException e) {
      throw new IllegalArgumentException("character " + (e.index() + 1) + ": " + e.getMessage(), e);
    }
    tokenizer.finish(out);
    return out.take(out.size());
  }

  /** A fresh tokenizer for this spec. Tokenizers are cheap and not thread-safe. */
  public Tokenizer newTokenizer() {
    return switch (type) {
      case DNA -> new DnaKmerTokenizer(k, stride);
      case BYTES -> new ByteTokenizer();
      case WORDS -> new WordHashTokenizer(vocabSize);
      case IDS -> new IdsTokenizer(vocabSize);
    };
  }
}
