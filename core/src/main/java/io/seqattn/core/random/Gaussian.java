package io.seqattn.core.random;

import java.util.SplittableRandom;

/**
 * Standard normal draws by the Box–Muller transform on {@link SplittableRandom}: the same seed
 * gives the same values on every machine and JVM, unlike ThreadLocalRandom or
 * {@code Random.nextGaussian}'s cached second value. Every seeded weight and ω of seqattn comes
 * from here.
 */
public final class Gaussian {
  private Gaussian() {}

  /** One N(0, 1) draw. */
  public static double next(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return radius(u1) * Math.cos(2 * Math.PI * u2);
  }

  /** n draws of N(0, scale²) as float32. */
  public static float[] array(SplittableRandom random, long n, double scale) {
    float[] out = new float[Math.toIntExact(n)];
    for (int i = 0; i < out.length; i++) {
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      out[i] = (float) (scale * radius(u1) * Math.cos(2 * Math.PI * u2));
    }
    return out;
  }

  /** √(−2 ln u), u ∈ (0, 1]: the draw's radius. */
  private static double radius(double u) {
    return Math.sqrt(-2.0 * Math.log(u));
  }
}
