/**
 * The {@code seqattn} command line (picocli): one class per command, shared option groups as
 * mixins, the one-line failure report, console logging and Spark sessions. Commands parse and
 * check options, then hand a spec to {@code io.seqattn.job.plan} or write files; no arithmetic.
 * Imports everything of seqattn, picocli, Spark and log4j.
 */
package io.seqattn.job.cli;
