package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seqattn import} end to end. The PyTorch reference (scripts/reference, when
 * {@code /usr/bin/python3} has torch; the tests that need it are skipped otherwise) draws a random
 * GLA model, writes it as a format-2 directory and as safetensors checkpoints — reference names in
 * F32, F16 and BF16, and flash-linear-attention's layout — and each import must give back the
 * directory's weights: exactly from F32 (and from the FLA layout, whose transposes are exact and
 * whose query scale d_k^(−1/2) folds to 1), and exactly the directory's weights rounded to nearest
 * even from F16 and BF16 (the widening back is exact, so no tolerance is needed there either).
 */
class ImportCommandTest {
  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final Path REFERENCE = Path.of("..", "scripts", "reference").toAbsolutePath().normalize();
  static final String CONFIG = "{\"format\": 2, \"tokenizer\": {\"type\": \"ids\", \"vocab_size\": 13}, "
      + "\"d_model\": 8, \"positional\": \"none\", \"layers\": [" + layer() + ", " + layer() + "], "
      + "\"final_norm\": {\"type\": \"rmsnorm\", \"eps\": 1e-6}, \"d_out\": 0}";

  @TempDir static Path shared;
  @TempDir Path tmp;
  static boolean haveTorch;

  private static String layer() {
    return "{\"norm\": {\"type\": \"rmsnorm\", \"eps\": 1e-6}, \"mixer\": {\"type\": \"linear_attention\", "
        + "\"heads\": 2, \"d_key\": 4, \"d_value\": 4, \"feature_map\": \"identity\", \"query_scale\": 0.5, "
        + "\"rope\": false, \"normalizer\": \"none\", \"eps\": 1e-6, \"causal\": true, "
        + "\"gate\": {\"type\": \"gla\", \"rank\": 3, \"tau\": 16.0}, "
        + "\"output_norm\": {\"type\": \"rmsnorm\", \"eps\": 1e-6}, \"output_gate\": true}, "
        + "\"ffn\": {\"type\": \"swiglu\", \"d_ff\": 12}}";
  }

  /** One Python process (torch loads once): the model directory and its four checkpoints. */
  @BeforeAll
  static void writeWithTheReference() throws IOException, InterruptedException {
    Files.writeString(shared.resolve("config.json"), CONFIG);
    if (!Files.isExecutable(PYTHON) || !Files.exists(REFERENCE.resolve("seqattn_reference.py"))) {
      return;
    }
    String script = String.join("\n", "import sys",
        "try:", "    import torch", "except ImportError:", "    sys.exit(3)",
        "sys.path.insert(0, sys.argv[1])", "import seqattn_reference as r", "d = sys.argv[2]",
        "runs = [['init', '--config', d + '/config.json', '--out', d + '/ref', '--seed', '5'],",
        "        ['safetensors', d + '/ref', d + '/ref-F32.safetensors'],",
        "        ['safetensors', d + '/ref', d + '/ref-F16.safetensors', '--dtype', 'F16'],",
        "        ['safetensors', d + '/ref', d + '/ref-BF16.safetensors', '--dtype', 'BF16'],",
        "        ['fla-checkpoint', d + '/ref', d + '/fla.safetensors']]",
        "sys.exit(max(r.main(a) for a in runs))", "");
    Process p = new ProcessBuilder(PYTHON.toString(), "-c", script, REFERENCE.toString(), shared.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the reference script timed out");
    if (p.exitValue() == 3) {
      return; // no torch
    }
    assertEquals(0, p.exitValue(), output);
    haveTorch = true;
  }

  record Result(int status, String err) {}

  static Result cli(String... args) {
    StringWriter err = new StringWriter();
    int status = SeqAttn.execute(new PrintWriter(err, true), args);
    return new Result(status, err.toString());
  }

  private Result importInto(Path out, String checkpoint, String... more) {
    List<String> args = new ArrayList<>(List.of("import", "--checkpoint", shared.resolve(checkpoint).toString(),
        "--config", shared.resolve("config.json").toString(), "--output", out.toString()));
    args.addAll(List.of(more));
    return cli(args.toArray(new String[0]));
  }

  private static void assertImported(Path out, DoubleUnaryOperator rounding) throws IOException {
    StackModel expected = StackDirectory.load(shared.resolve("ref"));
    StackModel actual = StackDirectory.load(out);
    assertEquals(expected.tensors().keySet(), actual.tensors().keySet());
    expected.tensors().forEach((name, values) -> {
      float[] rounded = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        rounded[i] = (float) rounding.applyAsDouble(values[i]);
      }
      assertArrayEquals(rounded, actual.tensor(name), name);
    });
  }

  /** Round to nearest, ties to even, keeping {@code bits} fraction bits, with exponents below {@code minExponent} subnormal. */
  static double roundTo(double x, int bits, int minExponent) {
    if (x == 0) {
      return x;
    }
    double ulp = Math.scalb(1.0, Math.max(Math.getExponent(x), minExponent) - bits);
    return Math.rint(x / ulp) * ulp; // exact in double: x has 24 significant bits
  }

  @Test
  void importsTheReferenceLayoutExactly() throws IOException {
    assumeTrue(haveTorch, "needs /usr/bin/python3 with torch");
    Path out = tmp.resolve("model");
    Result r = importInto(out, "ref-F32.safetensors");
    assertEquals(0, r.status(), r.err());
    assertImported(out, x -> x);
    assertEquals(StackDirectory.load(shared.resolve("ref")).fingerprint(), StackDirectory.load(out).fingerprint());
  }

  @Test
  void importsTheFlaLayoutExactlyAndSaysItSkippedNothingElse() throws IOException {
    assumeTrue(haveTorch, "needs /usr/bin/python3 with torch");
    Path out = tmp.resolve("model");
    Result r = importInto(out, "fla.safetensors", "--layout", "fla");
    assertEquals(0, r.status(), r.err());
    assertFalse(r.err().contains("skipped"), r.err());
    assertImported(out, x -> x);
  }

  @Test
  void importsHalfPrecisionCheckpointsAsTheirRoundedWeights() throws IOException {
    assumeTrue(haveTorch, "needs /usr/bin/python3 with torch");
    Path f16 = tmp.resolve("f16");
    assertEquals(0, importInto(f16, "ref-F16.safetensors").status());
    assertImported(f16, x -> roundTo(x, 10, -14));
    Path bf16 = tmp.resolve("bf16");
    assertEquals(0, importInto(bf16, "ref-BF16.safetensors").status());
    assertImported(bf16, x -> roundTo(x, 7, -126));
  }

  @Test
  void aMisfitWritesNothing() throws IOException {
    assumeTrue(haveTorch, "needs /usr/bin/python3 with torch");
    Path out = tmp.resolve("model");
    Result r = importInto(out, "fla.safetensors"); // FLA names, read as reference names
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("seqattn: error: " + shared.resolve("fla.safetensors") + ": does not fit"), r.err());
    assertTrue(r.err().contains("tensor 'embedding' [13, 8] is missing: no 'embedding' in the checkpoint"), r.err());
    assertTrue(r.err().contains("'model.embeddings.weight' [13, 8] is not used by this config"), r.err());
    assertNothingIn(tmp);
  }

  @Test
  void overwriteReplacesAModelAndOnlyAModel() throws IOException {
    assumeTrue(haveTorch, "needs /usr/bin/python3 with torch");
    Path out = tmp.resolve("model");
    assertEquals(0, importInto(out, "ref-BF16.safetensors").status());
    Result again = importInto(out, "ref-F32.safetensors");
    assertEquals(1, again.status());
    assertTrue(again.err().contains("already exists (pass --overwrite"), again.err());
    assertEquals(0, importInto(out, "ref-F32.safetensors", "--overwrite").status());
    assertImported(out, x -> x);
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of(out), left.toList(), "no staging or replaced directories left");
    }
    Path notAModel = tmp.resolve("notes");
    Files.createDirectories(notAModel);
    Files.writeString(notAModel.resolve("todo.txt"), "keep me");
    Result refused = importInto(notAModel, "ref-F32.safetensors", "--overwrite");
    assertEquals(1, refused.status());
    assertTrue(refused.err().contains("is not a model directory"), refused.err());
    assertTrue(Files.exists(notAModel.resolve("todo.txt")));
  }

  @Test
  void aMalformedCheckpointIsOneLineNamingTheFile() throws IOException {
    Path bad = shared.resolve("bad.safetensors");
    Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
    Path out = tmp.resolve("model");
    Result r = importInto(out, "bad.safetensors");
    assertEquals(1, r.status());
    assertEquals("seqattn: error: " + bad + ": header length 65535 goes beyond the end of the file (10 bytes; "
        + "truncated, or not a safetensors file)", r.err().strip());
    assertNothingIn(tmp);
  }

  @Test
  void aMissingCheckpointOrAnUnknownLayoutIsRefused() throws IOException {
    Result missing = importInto(tmp.resolve("model"), "nope.safetensors");
    assertEquals(1, missing.status());
    assertTrue(missing.err().contains("nope.safetensors: no such file"), missing.err());
    Result layout = importInto(tmp.resolve("model"), "nope.safetensors", "--layout", "keras");
    assertEquals(2, layout.status());
    assertTrue(layout.err().contains("'keras' is not one of [reference, fla]"), layout.err());
    assertNothingIn(tmp);
  }

  private static void assertNothingIn(Path dir) throws IOException {
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "nothing written, no staging leftovers");
    }
  }
}
