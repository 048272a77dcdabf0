/**
 * Importing a format-2 model from a checkpoint written elsewhere: a {@link
 * io.seqattn.core.checkpoint.CheckpointLayout} says, for every tensor a {@code StackConfig} calls for,
 * which checkpoint tensor holds it and how (as is, or transposed from PyTorch's [out, in], perhaps
 * rescaled); {@link io.seqattn.core.checkpoint.CheckpointImport} reads a safetensors file through one
 * and checks that every tensor is found, every checkpoint tensor used and every shape right.
 * Layouts are chosen by name ({@link io.seqattn.core.checkpoint.CheckpointLayouts}). Imports the
 * safetensors reader and the stack model; no ND4J, no Spark.
 */
package io.seqattn.core.checkpoint;
