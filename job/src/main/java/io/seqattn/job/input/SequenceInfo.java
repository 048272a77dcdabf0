package io.seqattn.job.input;

import java.io.Serializable;

/**
 * Where a sequence came from and what the input said about it besides its text: {@code origin} is
 * {@code file:line} of its header or record; {@code fields} is a JSON object of passthrough fields
 * (the FASTA header description, or a JSONL record's other fields), or null when there are none.
 */
public record SequenceInfo(String seqId, String origin, String fields) implements Serializable {}
