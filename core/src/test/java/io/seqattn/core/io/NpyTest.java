package io.seqattn.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

  /**
   * Golden files written by NumPy itself (src/test/resources/npy/make_golden.py): the reader must
   * read what NumPy writes, including a 1-d shape, a float64 3-d array and a version 2.0 header.
   */
  @Test
  void readsFilesWrittenByNumpy() throws Exception {
    NpyArray f32 = read("f32_2x3.npy");
    assertArrayEquals(new int[] {2, 3}, f32.shape());
    assertArrayEquals(new float[] {0f, 0.5f, -1f, 1.5f, 1e-3f, 3e5f}, f32.floats());

    NpyArray f64 = read("f64_2x2x2.npy");
    assertArrayEquals(new int[] {2, 2, 2}, f64.shape());
    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6, 7.25}, f64.doubles());

    NpyArray vec = read("f32_vec5_v2.npy");
    assertArrayEquals(new int[] {5}, vec.shape());
    assertEquals(4f, vec.floats()[4]);
  }

  @Test
  void writesWhatNumpyWrites() throws Exception {
    // NumPy's own bytes for np.save(..., np.array([[0, .5, -1], [1.5, 1e-3, 3e5]], dtype='<f4'))
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, read("f32_2x3.npy"));
    try (InputStream golden = getClass().getResourceAsStream("/npy/f32_2x3.npy")) {
      assertArrayEquals(golden.readAllBytes(), out.toByteArray());
    }
  }

  @Test
  void roundTripsEveryShape(@TempDir Path dir) throws Exception {
    for (int[] shape : new int[][] {{7}, {0, 3}, {2, 3, 4}, {1, 1}}) {
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = i * 0.1 - 3;
      }
      Path file = dir.resolve("a.npy");
      Npy.write(file, NpyArray.ofDoubles(values, shape));
      assertEquals(NpyArray.ofDoubles(values, shape), Npy.read(file));
      assertEquals(0, (Files.size(file) - (long) n * 8) % 64, "data starts on a 64-byte boundary");
    }
  }

  @Test
  void rejectsWhatItCannotRead() throws Exception {
    assertMessage("int64_3.npy", "dtype '<i8' is not supported");
    assertMessage("f32_fortran.npy", "Fortran-ordered");
    byte[] good;
    try (InputStream in = getClass().getResourceAsStream("/npy/f32_2x3.npy")) {
      good = in.readAllBytes();
    }
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    NpyFormatException e = assertThrows(NpyFormatException.class,
        () -> Npy.read(new ByteArrayInputStream(truncated), "t.npy"));
    assertTrue(e.getMessage().startsWith("t.npy: file is truncated"), e.getMessage());
    e = assertThrows(NpyFormatException.class,
        () -> Npy.read(new ByteArrayInputStream("not numpy".getBytes()), "x.npy"));
    assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
  }

  private void assertMessage(String resource, String expected) {
    NpyFormatException e = assertThrows(NpyFormatException.class, () -> read(resource));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().startsWith(resource), "names the file: " + e.getMessage());
  }

  private NpyArray read(String resource) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/npy/" + resource)) {
      return Npy.read(in, resource);
    }
  }
}
