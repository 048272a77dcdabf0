package io.seqattn.job.input;

/**
 * How malformed input records are treated, as in established genomics tools (Picard's
 * VALIDATION_STRINGENCY): {@code STRICT} stops the run at the first one with its file and line;
 * {@code LENIENT} leaves the record out, counts it and lists it in run.json.
 */
public enum Validation {
  STRICT,
  LENIENT;

  /** The name {@code --validation} takes and run.json writes. */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
