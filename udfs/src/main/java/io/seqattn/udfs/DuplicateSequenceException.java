package io.seqattn.udfs;

/** Two input sequences carry the same id; their chunks would otherwise be merged silently. */
public final class DuplicateSequenceException extends IllegalArgumentException {
  public DuplicateSequenceException(String seqId) {
    super("duplicate sequence id '" + seqId + "': ids must be unique across all inputs of a run");
  }
}
