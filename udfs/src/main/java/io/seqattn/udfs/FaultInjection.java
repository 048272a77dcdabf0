package io.seqattn.udfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A test-only hook that makes one task fail once, so tests can check that Spark's retry gives the
 * same result. It is inert unless the JVM has the system property {@value #PROPERTY} naming a
 * directory; then the first task to find a file {@code arm} there renames it to {@code fired}
 * (atomic, so exactly one task in any number of executor JVMs on one host wins) and throws.
 */
public final class FaultInjection {
  /** The system property naming the hook's directory; never set in production. */
  public static final String PROPERTY = "seqattn.test.fault-dir";
  private static final String DIR = System.getProperty(PROPERTY);

  private FaultInjection() {}

  /** Throws once if the hook is armed; otherwise does nothing. */
  public static void check() {
    if (DIR == null) {
      return;
    }
    Path armed = Path.of(DIR, "arm");
    try {
      Files.move(armed, Path.of(DIR, "fired"), StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return; // not armed, or another task fired it
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw new IllegalStateException("failure injected by " + FaultInjection.class.getSimpleName() + " (test hook)");
  }
}
