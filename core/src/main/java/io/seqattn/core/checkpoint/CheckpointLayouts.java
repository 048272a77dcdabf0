package io.seqattn.core.checkpoint;

/**
 * The registry of checkpoint layouts by the name {@code seqattn import --layout} takes. A new
 * layout is its class and one line here.
 */
public enum CheckpointLayouts {
  /** The format-2 names and [in, out] shapes, as the PyTorch reference writes them. */
  REFERENCE("reference", new ReferenceLayout()),
  /** flash-linear-attention's GLA names, nn.Linear [out, in] shapes. */
  FLA("fla", new FlaGlaLayout());

  private final String name;
  private final CheckpointLayout layout;

  CheckpointLayouts(String name, CheckpointLayout layout) {
    this.name = name;
    this.layout = layout;
  }

  public CheckpointLayout layout() {
    return layout;
  }

  /** The name {@code --layout} takes. */
  @Override
  public String toString() {
    return name;
  }
}
