package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output location that runs out of space in the middle of writing: a 1 MiB tmpfs, mounted by the
 * test (root only; skipped where mounting is not allowed), under a run whose outputs need several
 * MiB. The run ends with one line naming the output and saying what to do, exit status 1, and
 * leaves nothing behind — no output directory, and the hidden staging directory removed.
 */
class FullDiskTest {
  @TempDir Path tmp;
  Path mount;

  @Test
  void aFullOutputDiskIsOneLineAndLeavesNothing() throws Exception {
    mount = Files.createDirectories(tmp.resolve("small-disk"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()),
        "cannot mount a tmpfs here (needs root)");
    SparkTestSession.get();
    Path model = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), model);
    Path out = mount.resolve("run");
    BadInputTest.Result r = BadInputTest.cli("run", "--input",
        TestModels.sampleCorpus().resolve("lambda_phage.fa.gz").toString(), "--format", "fasta", "--model",
        model.toString(), "--output", out.toString(), "--emit-outputs");
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("seqattn: error: " + out + ": no space left on device while the run was written; "
        + "nothing was kept"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    try (Stream<Path> left = Files.list(mount)) {
      assertEquals(0, left.count(), "nothing left on the full disk, staging included");
    }
  }

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      run("umount", "-l", mount.toString());
    }
  }

  private static boolean run(String... command) throws Exception {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false; // no mount command
    }
  }
}
