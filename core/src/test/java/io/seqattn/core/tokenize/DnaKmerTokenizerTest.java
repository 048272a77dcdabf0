package io.seqattn.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.testing.Corpora;
import org.junit.jupiter.api.Test;

class DnaKmerTokenizerTest {

  static int[] tokenize(Tokenizer t, String... pieces) {
    TokenBuffer out = new TokenBuffer();
    t.reset();
    for (String piece : pieces) {
      t.feed(piece, 0, piece.length(), out);
    }
    t.finish(out);
    return out.take(out.size());
  }

  @Test
  void kmerIdIsItsBase4NumberFirstBaseMostSignificant() {
    // ACG = 0*16 + 1*4 + 2 = 6; CGT = 1*16 + 2*4 + 3 = 27; GTa = 2*16 + 3*4 + 0 = 44
    assertArrayEquals(new int[] {6, 27, 44}, tokenize(new DnaKmerTokenizer(3, 1), "ACGTa"));
  }

  @Test
  void anyOtherIupacCodeGivesTheAmbiguousId() {
    int amb = 64;
    // ACN, CNT, NTG contain N; TGA = 3*16+2*4+0 = 56; GAR, ARY, RYA contain ambiguity codes
    assertArrayEquals(new int[] {amb, amb, amb, 56, amb, amb, amb},
        tokenize(new DnaKmerTokenizer(3, 1), "ACNTGARYA"));
    assertEquals(65, new DnaKmerTokenizer(3, 1).vocabularySize());
  }

  @Test
  void skippingNRunsLeavesAbsentPositionsAndKeepsOtherAmbiguityCodes() {
    int amb = 64;
    int a = Tokenizer.ABSENT;
    // as above, but the three k-mers touching N are absent; those touching R and Y keep the ambiguous id
    assertArrayEquals(new int[] {a, a, a, 56, amb, amb, amb},
        tokenize(new DnaKmerTokenizer(3, 1, true, false), "ACnTGARYA"));
    // positions after an N run are those of the unskipped read
    int[] plain = tokenize(new DnaKmerTokenizer(4, 2), "ACGTNNNNNNACGTACGT");
    int[] skipped = tokenize(new DnaKmerTokenizer(4, 2, true, false), "ACGTNNNNNNACGTACGT");
    assertEquals(plain.length, skipped.length);
    for (int i = 0; i < plain.length; i++) {
      assertEquals(plain[i] == 256 ? a : plain[i], skipped[i], "token " + i);
    }
  }

  @Test
  void softMaskFlagsTokensWithAnyLowercaseBase() {
    TokenBuffer out = new TokenBuffer();
    DnaKmerTokenizer t = new DnaKmerTokenizer(3, 1, false, true);
    t.feed("ACGta", 0, 2, out);
    t.feed("ACGtaCGTA", 2, 9, out);                  // the flag follows bases across pieces
    assertTrue(out.hasFlags());
    // ACG CGt Gta taC aCG CGT GTA: lowercase t at base 3, a at base 4
    assertArrayEquals(new boolean[] {false, true, true, true, true, false, false}, out.peekFlags(7));
    assertArrayEquals(tokenize(new DnaKmerTokenizer(3, 1), "ACGTACGTA"), out.take(7), "case never changes ids");
    assertTrue(!new TokenBuffer().hasFlags());
  }

  @Test
  void tokensDoNotDependOnHowTheTextIsSplit() {
    String seq = "ACGTTGCANNACGTRGCCGTAAGT";
    int[] whole = tokenize(new DnaKmerTokenizer(4, 1), seq);
    assertEquals(seq.length() - 4 + 1, whole.length);
    for (int cut = 0; cut <= seq.length(); cut++) {
      assertArrayEquals(whole, tokenize(new DnaKmerTokenizer(4, 1), seq.substring(0, cut), seq.substring(cut)));
    }
  }

  @Test
  void whiteSpaceIsNotPartOfTheSequence() {
    assertArrayEquals(tokenize(new DnaKmerTokenizer(3, 1), "ACGTAC"),
        tokenize(new DnaKmerTokenizer(3, 1), "AC\r\nGT A\tC\n"));
  }

  @Test
  void strideSkipsStartPositions() {
    int[] all = tokenize(new DnaKmerTokenizer(3, 1), "ACGTACGTAC");
    int[] strided = tokenize(new DnaKmerTokenizer(3, 3), "ACGTACGTAC");
    assertArrayEquals(new int[] {all[0], all[3], all[6]}, strided);
    assertEquals(3, new DnaKmerTokenizer(3, 3).tokenCount(10));
  }

  @Test
  void shortSequenceGivesNoTokens() {
    assertEquals(0, tokenize(new DnaKmerTokenizer(5, 1), "ACGT").length);
    assertEquals(0, new DnaKmerTokenizer(5, 1).tokenCount(4));
  }

  @Test
  void nonIupacCharacterIsRejectedWithItsIndex() {
    InvalidSymbolException e = assertThrows(InvalidSymbolException.class,
        () -> tokenize(new DnaKmerTokenizer(3, 1), "ACGT#A"));
    assertEquals(4, e.index());
    assertTrue(e.getMessage().contains("'#'"), e.getMessage());
    assertThrows(InvalidSymbolException.class, () -> tokenize(new DnaKmerTokenizer(3, 1), "ACGTé"));
  }

  @Test
  void resetStartsAFreshSequence() {
    DnaKmerTokenizer t = new DnaKmerTokenizer(3, 1);
    tokenize(t, "NNNNN");
    assertArrayEquals(new int[] {6}, tokenize(t, "ACG"));
  }

  @Test
  void realGenomeTokenCountAndRange() throws Exception {
    int[] tokens = Corpora.dnaTokens("lambda_phage.fa.gz", 3, Integer.MAX_VALUE);
    assertEquals(48_502 - 3 + 1, tokens.length); // lambda phage is 48,502 bp
    for (int t : tokens) {
      assertTrue(t >= 0 && t <= 64);
    }
  }
}
