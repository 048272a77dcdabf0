package io.seqattn.job.report;

/**
 * One sequence as the report shows it.
 *
 * @param group the value of the colour-by field, or null when there is none
 * @param embedding the pooled embedding, or null when the sequence is not in the projection sample
 */
record SequencePoint(String seqId, long length, long nonPositiveNormalizers, String group, float[] embedding) {}
