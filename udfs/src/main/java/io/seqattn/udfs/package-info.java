/**
 * Spark glue over seqattn-core that does no arithmetic: per-thread kernels
 * ({@link io.seqattn.udfs.TaskKernels}), the ordered per-sequence fold and exclusive scan that every
 * cross-chunk merge goes through, the Spark SQL functions and their aggregate, the MLlib encoder
 * stage, the Kryo registrator, and a test-only fault hook. Imports {@code io.seqattn.core.*}, Spark
 * (provided), Hadoop's FileSystem (the encoder stores its model with a saved pipeline) and Scala's
 * collection converters; never ND4J directly — kernels are core's.
 */
package io.seqattn.udfs;
