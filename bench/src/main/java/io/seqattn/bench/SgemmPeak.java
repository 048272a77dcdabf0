package io.seqattn.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The machine's own float32 GEMM rate through ND4J: square products large enough to reach peak. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SgemmPeak {

  @Param({"1024", "2048"})
  public int n;

  INDArray a;
  INDArray b;
  INDArray c;

  @Setup
  public void setUp() {
    a = Nd4j.rand(DataType.FLOAT, n, n);
    b = Nd4j.rand(DataType.FLOAT, n, n);
    c = Nd4j.create(DataType.FLOAT, n, n);
  }

  @Benchmark
  public INDArray sgemm() {
    return Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
  }
}
