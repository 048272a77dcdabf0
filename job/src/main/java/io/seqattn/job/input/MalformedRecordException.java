package io.seqattn.job.input;

/**
 * One input record is malformed, but the reader that threw it has resynchronized: the next call to
 * {@link SequenceReader#nextSequence()} continues with the following record. Fatal under strict
 * validation, skipped under lenient.
 */
public final class MalformedRecordException extends InputException {
  private final String seqId;

  /** @param seqId the record's id, or null when it could not be read */
  public MalformedRecordException(String seqId, String message, Throwable cause) {
    super(message, cause);
    this.seqId = seqId;
  }

  public String seqId() {
    return seqId;
  }
}
