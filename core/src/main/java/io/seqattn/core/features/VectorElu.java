package io.seqattn.core.features;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * elu(x) + 1 = max(x, 0) + exp(min(x, 0)) in place, in SIMD registers with the JDK's vector API,
 * against ND4J's exp, which spends about 3 ns an element on one thread. Every element, the tail
 * included, goes through the same vector code, so a value's result does not depend on its place in
 * the array, and the code rounds identically interpreted and compiled.
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

  /**
   * The vector code, in a class of its own so that only a JVM with the module loads it. exp is
   * written out here (Cephes' expf: x = n·ln 2 + r, a degree-7 polynomial in r, then 2ⁿ put into the
   * exponent bits) rather than taken from {@code VectorOperators.EXP}: that one is SVML once C2 has
   * compiled the loop but a different scalar exp before, so a chunk's features would depend on how
   * warm the JIT was, and results on the partitioning. Additions, multiplications and fused
   * multiply-adds round the same way in every JVM mode.
   */
  private static final class Simd {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Below ln(2⁻¹²⁶) the result would be subnormal: it is flushed to 0 (an error under 1.2e-38). */
    private static final float SMALLEST = -87.33654f;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for |n| ≤ 2⁹. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5·2²³ rounds a float of magnitude below 2²² to the nearest integer. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    static void eluPlusOne(ByteBuffer memory, int n) {
      ByteOrder order = ByteOrder.nativeOrder();
      int step = SPECIES.length();
      int whole = SPECIES.loopBound(n);
      for (int i = 0; i < whole; i += step) {
        FloatVector x = FloatVector.fromByteBuffer(SPECIES, memory, i * Float.BYTES, order);
        eluPlusOne(x).intoByteBuffer(memory, i * Float.BYTES, order);
      }
      if (whole < n) {
        VectorMask<Float> tail = SPECIES.indexInRange(whole, n);
        FloatVector x = FloatVector.fromByteBuffer(SPECIES, memory, whole * Float.BYTES, order, tail);
        eluPlusOne(x).intoByteBuffer(memory, whole * Float.BYTES, order, tail);
      }
    }

    private static FloatVector broadcast(float value) {
      return FloatVector.broadcast(SPECIES, value);
    }

    /** max(x, 0) + exp(min(x, 0)). */
    private static FloatVector eluPlusOne(FloatVector x) {
      FloatVector negative = x.min(0f);
      return x.max(0f).add(expNonPositive(negative));
    }

    /** eˣ for x ≤ 0 (NaN stays NaN, −∞ and anything below {@link #SMALLEST} give 0). */
    private static FloatVector expNonPositive(FloatVector x) {
      VectorMask<Float> vanishing = x.compare(VectorOperators.LT, SMALLEST);
      FloatVector clamped = x.max(SMALLEST);
      FloatVector rounded = clamped.fma(LOG2E, ROUND); // n + 1.5·2²³: n sits in the low mantissa bits
      FloatVector n = rounded.sub(ROUND);
      FloatVector r = clamped.sub(n.mul(LN2_HI)); // exact product: LN2_HI has 9 significant bits
      r = n.fma(broadcast(-LN2_LO), r);
      FloatVector r2 = r.mul(r);
      FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
      p = p.fma(r, broadcast(8.3334519073e-3f));
      p = p.fma(r, broadcast(4.1665795894e-2f));
      p = p.fma(r, broadcast(1.6666665459e-1f));
      p = p.fma(r, broadcast(5.0000001201e-1f));
      p = p.fma(r2, r).add(1f);
      IntVector exponent = ((IntVector) rounded.viewAsIntegralLanes()).sub(ROUND_BITS - 127)
          .lanewise(VectorOperators.LSHL, 23);
      FloatVector scale = (FloatVector) exponent.viewAsFloatingLanes(); // 2ⁿ
      return p.mul(scale).blend(0f, vanishing);
    }
  }
}
