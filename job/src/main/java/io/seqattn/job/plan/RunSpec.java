package io.seqattn.job.plan;

import io.seqattn.core.model.Model;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.Readers;
import java.util.List;

/**
 * Everything a run needs, validated: the inputs, how to read them, the model, how many partitions
 * to spread chunks over (0 = Spark's default parallelism), whether to keep the per-position
 * outputs, and — causal models only — the run directory whose final states the sequences continue
 * from (null for none).
 */
public record RunSpec(List<InputFile> inputs, Readers readers, Model model, String modelDir, int partitions,
    boolean emitOutputs, String continueFrom) {

  public RunSpec(List<InputFile> inputs, Readers readers, Model model, String modelDir, int partitions,
      boolean emitOutputs) {
    this(inputs, readers, model, modelDir, partitions, emitOutputs, null);
  }
}
