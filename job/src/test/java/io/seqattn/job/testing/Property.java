package io.seqattn.job.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Random;
import org.opentest4j.AssertionFailedError;

/**
 * Seeded property checks on JUnit 5, for tests that generate random inputs. Try i draws from a
 * {@link Random} whose seed is the i-th of a sequence fixed by the property's own seed, so every
 * run checks the same cases and CI never flakes; a failing try names its seed, and
 * {@code -Dseqattn.property.seed=SEED} runs that try alone. Each try runs under
 * {@code assertTimeoutPreemptively}, so a hang fails as a timeout naming its seed instead of
 * stalling the build. There is no shrinking: generators keep their inputs small instead.
 *
 * <p>Why not jqwik: from 1.10 its maintainers ask that it not be used by AI coding agents, which
 * write part of this project; this is the little of it these tests need.
 */
public final class Property {
  private Property() {}

  /** One try of a property: generate from {@code random}, check, throw on failure. */
  @FunctionalInterface
  public interface Try {
    void run(Random random) throws Throwable;
  }

  /**
   * Runs {@code tries} tries of {@code body}, each within {@code perTry}.
   *
   * @throws AssertionFailedError for the first failing try, with its seed and the cause
   */
  public static void check(long seed, int tries, Duration perTry, Try body) {
    String only = System.getProperty("seqattn.property.seed");
    Random seeds = new Random(seed);
    for (int i = 0; i < tries; i++) {
      long trySeed = seeds.nextLong();
      if (only != null && Long.parseLong(only) != trySeed) {
        continue;
      }
      try {
        assertTimeoutPreemptively(perTry, () -> body.run(new Random(trySeed)));
      } catch (Throwable t) {
        throw new AssertionFailedError("try " + i + " of " + tries + " failed (run it alone with "
            + "-Dseqattn.property.seed=" + trySeed + "): " + t, t);
      }
    }
  }
}
