/**
 * NumPy's {@code .npy} format, read and written for model weights and exports. Pure Java: imports
 * nothing of seqattn, ND4J or Spark.
 */
package io.seqattn.core.io;
