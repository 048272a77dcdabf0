/**
 * Genome-browser tracks made from a finished run: the per-position quantity a track shows
 * ({@link io.seqattn.job.tracks.TrackQuantity}), chromosome sizes from a {@code .fai} or UCSC
 * {@code chrom.sizes} file, a streaming bedGraph writer in base coordinates, and the export that
 * feeds it from a run's {@code outputs/} table in the order {@code bedGraphToBigWig} requires.
 * The quantities and the writer are plain Java; only {@link io.seqattn.job.tracks.BedGraphExport}
 * touches Spark, and it does no arithmetic of its own.
 * Imports {@code io.seqattn.core.model}, {@code io.seqattn.job.plan}, Spark and Hadoop.
 */
package io.seqattn.job.tracks;
