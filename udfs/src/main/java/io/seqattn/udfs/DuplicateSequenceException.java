package io.seqattn.udfs;

/**
 * Two input sequences carry the same id; their chunks would otherwise be merged silently. Where
 * both records are known (the job checks chunk 0 of every sequence before any attention), the
 * message names both; the ordered merges, which see only ids, name the id.
 */
public final class DuplicateSequenceException extends IllegalArgumentException {
  public DuplicateSequenceException(String seqId) {
    super("duplicate sequence id '" + seqId + "': ids must be unique across all inputs of a run");
  }

  /**
   * {@code SECOND: duplicate sequence id 'ID' (first at FIRST; …)}: where the id occurs again, as
   * every input error starts with its place.
   *
   * @param first where the id occurs first (file:line), @param second where it occurs again
   */
  public DuplicateSequenceException(String seqId, String first, String second) {
    super(second + ": duplicate sequence id '" + seqId + "' (first at " + first + "; ids must be unique across "
        + "all inputs of a run: rename one of them)");
  }
}
