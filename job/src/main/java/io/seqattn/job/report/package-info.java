/**
 * {@code report.html}: a self-contained page (inline SVG, no script, no network) that shows one run
 * — stage timeline, throughput, sequence lengths, normalizers, and a 2-D projection of embeddings.
 */
package io.seqattn.job.report;
