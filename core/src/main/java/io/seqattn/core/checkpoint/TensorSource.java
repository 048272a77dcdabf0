package io.seqattn.core.checkpoint;

import java.util.Arrays;

/**
 * Where a format-2 tensor comes from in a checkpoint: the checkpoint tensor's name, whether it is
 * stored transposed (a 2-D PyTorch {@code nn.Linear} weight is [out, in]; format 2 stores [in, out])
 * and a factor every value is multiplied by (1 for almost every tensor).
 */
public record TensorSource(String name, boolean transposed, double scale) {
  /** A tensor stored as format 2 stores it. */
  public static TensorSource asIs(String name) {
    return new TensorSource(name, false, 1.0);
  }

  /** A 2-D tensor stored [out, in]. */
  public static TensorSource transposed(String name) {
    return new TensorSource(name, true, 1.0);
  }

  /** The shape the checkpoint tensor must have for a format-2 tensor of {@code shape}. */
  public int[] checkpointShape(int[] shape) {
    if (!transposed) {
      return shape.clone();
    }
    if (shape.length != 2) {
      throw new IllegalStateException("only 2-D tensors are stored transposed, not " + Arrays.toString(shape));
    }
    return new int[] {shape[1], shape[0]};
  }

  /**
   * The format-2 tensor, row-major in {@code shape}, from the checkpoint's values (row-major in
   * {@link #checkpointShape}). May return {@code values} itself when there is nothing to do.
   */
  public float[] toFormat2(float[] values, int[] shape) {
    float[] out = values;
    if (transposed) {
      int in = shape[0];
      int outWidth = shape[1];
      out = new float[values.length];
      for (int o = 0; o < outWidth; o++) {
        for (int i = 0; i < in; i++) {
          out[i * outWidth + o] = values[o * in + i];
        }
      }
    }
    if (scale != 1.0) {
      out = out == values ? values.clone() : out;
      for (int k = 0; k < out.length; k++) {
        out[k] = (float) (out[k] * scale);
      }
    }
    return out;
  }
}
