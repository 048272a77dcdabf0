package io.seqattn.core.mixer;

import io.seqattn.core.attention.Semigroup;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.model.Model;
import java.io.Serializable;

/**
 * How the positions of a sequence see each other, computed chunk by chunk: each chunk is
 * summarized (pass 1), the summaries are combined across chunks as {@link #crossChunk} says — with
 * the mixer's own {@link #semigroup}, whose law (associative; commutative or not) is written beside
 * its summary type — and each chunk is read out against what it was given (pass 2). A mixer is a
 * serializable description (what the Spark plan, the SQL functions and the run report ask); its
 * arithmetic is the {@link MixerKernel} it builds inside a task. A new mixer is one class (plus its
 * kernel and summary type) and one line in {@link Mixers}.
 *
 * @param <S> the summary of a stretch of tokens
 */
public interface TokenMixer<S> extends Serializable {

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

  /** The kernel for one task thread. */
  MixerKernel<S> newKernel(Model model);

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
