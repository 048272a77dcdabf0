package io.seqattn.job.plan;

import io.seqattn.core.model.Model;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.Readers;
import java.util.List;

/**
 * Everything a run needs, validated: the inputs, how to read them, the model, how many partitions
 * to spread chunks over (0 = Spark's default parallelism), whether to keep the per-position
 * outputs, — causal models only — the run directory whose final states the sequences continue
 * from (null for none), and whether to compute exact softmax attention instead of linear attention
 * ({@code force}: even for sequences above {@link #MAX_SOFTMAX_TOKENS}).
 */
public record RunSpec(List<InputFile> inputs, Readers readers, Model model, String modelDir, int partitions,
    boolean emitOutputs, String continueFrom, boolean softmax, boolean force) {

  /**
   * The longest sequence exact softmax takes without {@code --force}: its cost grows as n², about
   * 4·n²·d_model flops (n = 65,536, d_model = 64: 1.1 TFLOP, tens of seconds on two cores).
   */
  public static final long MAX_SOFTMAX_TOKENS = 65_536;

  public RunSpec(List<InputFile> inputs, Readers readers, Model model, String modelDir, int partitions,
      boolean emitOutputs, String continueFrom) {
    this(inputs, readers, model, modelDir, partitions, emitOutputs, continueFrom, false, false);
  }

  public RunSpec(List<InputFile> inputs, Readers readers, Model model, String modelDir, int partitions,
      boolean emitOutputs) {
    this(inputs, readers, model, modelDir, partitions, emitOutputs, null);
  }
}
