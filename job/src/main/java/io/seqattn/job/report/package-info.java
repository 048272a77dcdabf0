/**
 * {@code report.html}: a self-contained page (inline SVG, no script, no network) that shows one run
 * — stage timeline, throughput, sequence lengths, normalizers, and a 2-D projection of embeddings
 * ({@link io.seqattn.job.report.HtmlReport}) — or one training run's loss curves, accuracy and
 * optimizer schedule ({@link io.seqattn.job.report.TrainingReport}). Reads run directories through
 * Spark; draws with plain strings ({@code Svg}), no chart library.
 */
package io.seqattn.job.report;
