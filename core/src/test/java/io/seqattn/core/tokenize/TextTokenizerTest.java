package io.seqattn.core.tokenize;

import static io.seqattn.core.tokenize.DnaKmerTokenizerTest.tokenize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextTokenizerTest {

  @Test
  void bytesAreTheUtf8EncodingWhateverTheSplit() {
    String text = "Fellow-Citizens é ∑ 😀 end";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int[] expected = new int[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      expected[i] = utf8[i] & 0xff;
    }
    for (int cut = 0; cut <= text.length(); cut++) {
      assertArrayEquals(expected, tokenize(new ByteTokenizer(), text.substring(0, cut), text.substring(cut)),
          "split at " + cut);
    }
  }

  @Test
  void unpairedSurrogateBecomesTheReplacementCharacter() {
    byte[] utf8 = "a\uFFFDb".getBytes(StandardCharsets.UTF_8);
    int[] expected = new int[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      expected[i] = utf8[i] & 0xff;
    }
    assertArrayEquals(expected, tokenize(new ByteTokenizer(), "a\uD83Db"));
    assertArrayEquals(expected, tokenize(new ByteTokenizer(), "a\uDE00b"));
  }

  @Test
  void murmur3MatchesReferenceVectors() {
    // Published test vectors of MurmurHash3_x86_32 (SMHasher; also Guava's Murmur3_32HashFunctionTest)
    assertEquals(0, Murmur3.hash32(new byte[0], 0));
    assertEquals(0x514E28B7, Murmur3.hash32(new byte[0], 1));
    assertEquals(0x81F16F39, Murmur3.hash32(new byte[0], 0xffffffff));
    assertEquals(0x76293B50, Murmur3.hash32(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, 0));
    assertEquals(0xF55B516B, Murmur3.hash32(new byte[] {0x21, 0x43, 0x65, (byte) 0x87}, 0));
    assertEquals(0x7E4A8634, Murmur3.hash32(new byte[] {0x21, 0x43, 0x65}, 0));
    assertEquals(0xA0F7B07A, Murmur3.hash32(new byte[] {0x21, 0x43}, 0));
    assertEquals(0x72661CF4, Murmur3.hash32(new byte[] {0x21}, 0));
  }

  @Test
  void wordsAreLowercasedHashedAndSplitOnNonLetters() {
    WordHashTokenizer t = new WordHashTokenizer(1 << 16);
    int[] ids = tokenize(t, "The Union, ", "the UNION; l'État 1790");
    assertEquals(7, ids.length);
    assertEquals(ids[0], ids[2]);
    assertEquals(ids[1], ids[3]);
    assertEquals(t.idOf("état"), ids[5]);
    assertEquals(Math.floorMod(Murmur3.hash32("1790".getBytes(StandardCharsets.UTF_8), 42), 1 << 16), ids[6]);
    assertArrayEquals(ids, tokenize(t, "The Union, the UNION; l'État 1790"));
  }
}
