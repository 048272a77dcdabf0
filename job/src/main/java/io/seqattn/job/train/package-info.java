/**
 * {@code seqattn train} on Spark (issue #16): labelled documents read and tokenized by tasks, each
 * step's per-sequence exact gradients computed by tasks against broadcast weights and summed on
 * the driver in batch order ({@link io.seqattn.core.train.MiniBatchTrainer} does the arithmetic),
 * checkpoints written so that none is ever half there, and the log of every step.
 */
package io.seqattn.job.train;
