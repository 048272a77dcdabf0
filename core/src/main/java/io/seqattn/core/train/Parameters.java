package io.seqattn.core.train;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model's tensors (float32, row-major, by name, as a model directory holds them) as ND4J arrays
 * of the compute type: float for training, double for checking gradients against a float64
 * reference.
 */
final class Parameters {
  private final Map<String, float[]> tensors;
  private final DataType type;

  Parameters(Map<String, float[]> tensors, DataType type) {
    this.tensors = tensors;
    this.type = type;
  }

  DataType type() {
    return type;
  }

  float[] raw(String name) {
    float[] t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("the model has no tensor '" + name + "'");
    }
    return t;
  }

  /** Tensor {@code name} as a [rows, cols] matrix. */
  INDArray matrix(String name, long rows, long cols) {
    float[] t = raw(name);
    if (t.length != rows * cols) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + t.length + " values, expected " + rows + " x "
          + cols);
    }
    return Nd4j.create(t, new long[] {rows, cols}, DataType.FLOAT).castTo(type);
  }

  /** Tensor {@code name} as a row [1, length]. */
  INDArray row(String name) {
    float[] t = raw(name);
    return matrix(name, 1, t.length);
  }
}
