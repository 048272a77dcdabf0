package io.seqattn.core.stack;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Java arrays into and out of ND4J arrays by one bulk copy through the buffer's NIO view.
 * {@code Nd4j.create(float[], …)} and {@code DataBuffer.asFloat()} copy element by element
 * through virtual calls, which on 64k-token chunks cost as much as the GEMMs around them.
 */
final class HostArrays {
  private HostArrays() {}

  /** A new float array of {@code shape} (in the current workspace) holding {@code values}, row-major. */
  static INDArray of(float[] values, long... shape) {
    INDArray x = Nd4j.createUninitialized(DataType.FLOAT, shape);
    x.data().asNioFloat().put(values, 0, values.length);
    Nd4j.getAffinityManager().tagLocation(x, AffinityManager.Location.HOST);
    return x;
  }

  /** A new double array of {@code shape} (in the current workspace) holding {@code values}, row-major. */
  static INDArray of(double[] values, long... shape) {
    INDArray x = Nd4j.createUninitialized(DataType.DOUBLE, shape);
    x.data().asNioDouble().put(values, 0, values.length);
    Nd4j.getAffinityManager().tagLocation(x, AffinityManager.Location.HOST);
    return x;
  }

  /** A new float array of {@code shape} (in the current workspace) from its float32 bytes in native order. */
  static INDArray ofBytes(byte[] values, long... shape) {
    INDArray x = Nd4j.createUninitialized(DataType.FLOAT, shape);
    x.data().asNio().put(values, 0, values.length);
    Nd4j.getAffinityManager().tagLocation(x, AffinityManager.Location.HOST);
    return x;
  }

  /** A float array's values as float32 bytes in native order (little-endian where ND4J runs), row-major. */
  static byte[] bytes(INDArray x) {
    INDArray own = own(x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT));
    byte[] values = new byte[Math.toIntExact(own.length() * Float.BYTES)];
    own.data().asNio().get(values);
    return values;
  }

  /** The values of a float array, row-major. */
  static float[] floats(INDArray x) {
    INDArray own = own(x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT));
    float[] values = new float[(int) own.length()];
    own.data().asNioFloat().get(values);
    return values;
  }

  /** The values of a double array, row-major. */
  static double[] doubles(INDArray x) {
    INDArray own = own(x.dataType() == DataType.DOUBLE ? x : x.castTo(DataType.DOUBLE));
    double[] values = new double[(int) own.length()];
    own.data().asNioDouble().get(values);
    return values;
  }

  /** {@code x}, or a copy of it, whose buffer holds exactly its elements in row-major order from the start. */
  private static INDArray own(INDArray x) {
    boolean exact = !x.isView() && x.ordering() == 'c' && x.offset() == 0 && x.data().length() == x.length();
    return exact ? x : x.dup('c');
  }
}
