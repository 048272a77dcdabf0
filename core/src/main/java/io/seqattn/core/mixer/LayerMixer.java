package io.seqattn.core.mixer;

import io.seqattn.core.attention.Semigroup;
import io.seqattn.core.attention.Summary;
import java.io.Serializable;

/**
 * What the engine must know of one layer's token mixer to run it across chunks: each chunk is
 * summarized (pass 1), the summaries are combined as {@link #crossChunk} says — with the mixer's own
 * {@link #semigroup}, whose law (associative; commutative or not) is written beside its summary
 * type — and each chunk is read out against what it was given (pass 2). A serializable
 * description: what the Spark plan, the in-memory runner and the run report ask. The arithmetic
 * is a kernel's: a {@link TokenMixer}'s own for one-layer models, a stack's for deep ones.
 *
 * @param <S> the summary of a stretch of tokens
 */
public interface LayerMixer<S> extends Serializable {

  /** The kind of attention, as run.json and {@code --attention} name it: {@code linear}, {@code softmax}. */
  String attention();

  /** Which positions a position sees, as the states table and run.json name it: {@code global}, {@code causal}. */
  String mode();

  /** What the engine does across chunks. */
  CrossChunk crossChunk();

  /** How summaries of consecutive stretches merge: left then right. */
  Semigroup<S> semigroup();

  /** The number of tokens a summary covers. */
  long tokens(S summary);

  /** Whether a sequence's merged summary is a state worth storing ({@code states/}). */
  default boolean storesState() {
    return false;
  }

  /** The stored form of a merged summary (mixers that {@link #storesState}). */
  default Summary state(S merged) {
    throw new UnsupportedOperationException(attention() + " attention keeps no state");
  }

  /**
   * Why a sequence cannot be continued from a stored state under this mixer, as the rest of a
   * sentence that begins "--continue-from …", or null when it can ({@link #resume}).
   */
  default String cannotContinue() {
    return "needs a stored state, and a " + mode() + " " + attention() + " run keeps none";
  }

  /** A stored final state as this mixer's summary: the prefix of a continued sequence. */
  default S resume(Summary stored) {
    throw new UnsupportedOperationException(cannotContinue());
  }

  /** The longest sequence this mixer takes without being forced to (its cost grows faster than n). */
  default long lengthLimit() {
    return Long.MAX_VALUE;
  }

  /** Why there is a {@link #lengthLimit}, for the message that refuses a longer sequence. */
  default String lengthLimitReason() {
    return attention() + " attention has no length limit";
  }
}
