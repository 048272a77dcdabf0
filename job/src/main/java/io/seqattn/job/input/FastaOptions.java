package io.seqattn.job.input;

import java.io.Serializable;

/**
 * How DNA sequences are read beyond what the model's tokenizer fixes, for real genome files: with
 * {@code skipN}, k-mers that touch an N run (an assembly gap) are absent positions — no key, no
 * output — while every later k-mer keeps its position; with {@code keepSoftMask}, each token
 * carries a flag saying whether any of its bases was lowercase (soft-masked), written to outputs/.
 * Without either, lowercase reads as uppercase and N is tokenized by the model's rule.
 */
public record FastaOptions(boolean skipN, boolean keepSoftMask) implements Serializable {
  public static final FastaOptions NONE = new FastaOptions(false, false);
}
