package io.seqattn.job.plan;

import java.util.Locale;

/**
 * What a deep network's chunks keep between its layer passes. Layer ℓ's summaries need the chunk's
 * input to block ℓ, which is the output of every earlier block read against its context.
 *
 * <ul>
 *   <li>{@link #CACHE}: each block's output is stored per chunk (d float32 per token, serialized to
 *       local disk) and the next pass reads it: L block evaluations per chunk for the
 *       summaries plus L − 1 for the outputs carried on, and one for the last pass.
 *   <li>{@link #RECOMPUTE}: only tokens and contexts are kept; layer ℓ's pass recomputes blocks
 *       0 … ℓ − 1 from the tokens: L(L + 1)/2 block evaluations for the summaries plus L for the
 *       last pass — 3.5× the work of {@code CACHE} at L = 4, for no activation storage.
 * </ul>
 *
 * Both compute the same bits (a block's arithmetic does not depend on where its input came from).
 * A one-layer network has nothing to keep, and both are the same plan.
 */
public enum BetweenLayers {
  CACHE,
  RECOMPUTE;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
