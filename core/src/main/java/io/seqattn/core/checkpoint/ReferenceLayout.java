package io.seqattn.core.checkpoint;

import io.seqattn.core.stack.StackConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The format-2 names themselves, with format 2's [in, out] shapes: what the PyTorch reference
 * ({@code scripts/reference/seqattn_reference.py}, {@code state_dict()} or its {@code safetensors}
 * command) writes. Nothing is transposed and nothing may be left over.
 */
public final class ReferenceLayout implements CheckpointLayout {
  @Override
  public Map<String, TensorSource> sources(StackConfig config, Set<String> names) {
    Map<String, TensorSource> sources = new LinkedHashMap<>();
    for (String name : config.tensorShapes().keySet()) {
      sources.put(name, TensorSource.asIs(name));
    }
    return sources;
  }

  @Override
  public boolean ignorable(String name) {
    return false;
  }
}
