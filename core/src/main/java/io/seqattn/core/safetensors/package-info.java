/**
 * Reading the safetensors checkpoint format (Hugging Face's {@code .safetensors}: a little-endian
 * u64 header length, a JSON header of tensor names, dtypes, shapes and byte ranges, then the raw
 * little-endian data) into float32 arrays, so that weights trained elsewhere can become a seqattn
 * model. Every file is checked completely when it is opened — header size, JSON, dtypes, shapes
 * against byte ranges, ranges against each other and the file — and every error names the file and
 * the tensor. Pure Java: imports Jackson and nothing of seqattn, ND4J or Spark.
 */
package io.seqattn.core.safetensors;
