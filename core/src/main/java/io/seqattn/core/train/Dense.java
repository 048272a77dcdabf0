package io.seqattn.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The few array helpers the backward pieces share: one GEMM into a new array, column blocks. */
final class Dense {
  private Dense() {}

  /** op(a)·op(b) as a new array of a's data type, op the transpose where asked: one GEMM. */
  static INDArray mm(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
    long rows = transposeA ? a.columns() : a.rows();
    long cols = transposeB ? b.rows() : b.columns();
    INDArray c = Nd4j.createUninitialized(a.dataType(), rows, cols);
    Nd4j.gemm(a, b, c, transposeA, transposeB, 1.0, 0.0);
    return c;
  }

  /** a·b. */
  static INDArray mm(INDArray a, INDArray b) {
    return mm(a, b, false, false);
  }

  /** Columns [from, from + count) of {@code a}, copied. */
  static INDArray columns(INDArray a, long from, long count) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + count)).dup('c');
  }

  /** A view of columns [from, from + count) of {@code a}, for assigning into. */
  static INDArray columnView(INDArray a, long from, long count) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + count));
  }

  /** Column sums [1, cols]. */
  static INDArray columnSums(INDArray a) {
    return a.sum(true, 0);
  }

  /** Row sums [n, 1]. */
  static INDArray rowSums(INDArray a) {
    return a.sum(true, 1);
  }
}
