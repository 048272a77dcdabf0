package io.seqattn.job.plan;

import io.seqattn.core.model.Model;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.Readers;
import java.util.List;

/**
 * Everything a global run needs, validated: the inputs, how to read them, the model, how many
 * partitions to spread chunks over (0 = Spark's default parallelism), and whether to keep the
 * per-position outputs.
 */
public record RunSpec(List<InputFile> inputs, Readers readers, Model model, String modelDir, int partitions,
    boolean emitOutputs) {}
