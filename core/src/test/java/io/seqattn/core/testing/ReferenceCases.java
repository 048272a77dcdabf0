package io.seqattn.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Golden files written by a script of {@code scripts/reference/} (the PyTorch reference module):
 * the case directories, Debian's python3-torch when it is installed, and the check that the cases
 * checked in are what the script writes today.
 */
public final class ReferenceCases {
  public static final String PYTHON = "/usr/bin/python3";

  private ReferenceCases() {}

  /** The case directories under {@code root}, sorted. */
  public static List<String> names(Path root) throws IOException {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Whether Debian's python3 with torch and numpy is there to regenerate the cases. */
  public static boolean torchInstalled() throws IOException, InterruptedException {
    return new File(PYTHON).canExecute() && python("-c", "import torch, numpy") == 0;
  }

  /** Runs {@code /usr/bin/python3 args…}, output discarded; its exit status (−1 after 120 s). */
  public static int python(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  /**
   * Runs {@code generator fresh} and compares every file of every case under {@code root} with
   * what it wrote: inputs (seeded weights and ids) byte for byte, files under an {@code expected}
   * directory (the reference's float64 results, which can move in the last bits with torch's and
   * BLAS's thread counts and SIMD paths) to {@code bound}, relative.
   */
  public static void assertRegenerated(Path root, String generator, Path fresh, double bound) throws Exception {
    assertEquals(0, python(generator, fresh.toString()), generator + " failed");
    for (String name : names(root)) {
      try (Stream<Path> files = Files.walk(root.resolve(name))) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Path relative = root.relativize(file);
          Path regenerated = fresh.resolve(relative.toString());
          assertTrue(Files.exists(regenerated), relative + " is no longer written");
          if (underExpected(relative)) {
            assertRelative(values(Npy.read(file)), values(Npy.read(regenerated)), bound, relative.toString());
          } else {
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(regenerated), relative + " differs");
          }
        }
      }
    }
  }

  private static boolean underExpected(Path relative) {
    for (Path part : relative) {
      if (part.toString().equals("expected")) {
        return true;
      }
    }
    return false;
  }

  private static double[] values(NpyArray array) {
    if (array.isDouble()) {
      return array.doubles();
    }
    float[] f = array.floats();
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  /** ‖actual − expected‖ / ‖expected‖ (Frobenius) ≤ allowed; an all-zero expectation must be met to {@code allowed} absolutely. */
  public static void assertRelative(double[] expected, double[] actual, double allowed, String what) {
    assertEquals(expected.length, actual.length, what + ": size");
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
      norm += expected[i] * expected[i];
    }
    double error = norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    assertTrue(error <= allowed, what + ": relative error " + error);
  }
}
