package io.seqattn.core.checkpoint;

import io.seqattn.core.stack.StackConfig;
import java.util.Map;
import java.util.Set;

/**
 * A naming convention for a model's tensors in a checkpoint: the source of every tensor of {@link
 * StackConfig#tensorShapes()}, and the checkpoint tensors that have no place in a format-2 model
 * and may be left unused.
 */
public interface CheckpointLayout {
  /**
   * The source of every format-2 tensor the config calls for, keyed by format-2 name in the order of
   * {@link StackConfig#tensorShapes()}.
   *
   * @param names the checkpoint's tensor names, for layouts whose names come with or without a prefix
   * @throws CheckpointException when the config describes a model this layout cannot hold, listing every reason
   */
  Map<String, TensorSource> sources(StackConfig config, Set<String> names);

  /** Whether a checkpoint tensor that no format-2 tensor comes from is still expected (and is skipped). */
  boolean ignorable(String name);
}
