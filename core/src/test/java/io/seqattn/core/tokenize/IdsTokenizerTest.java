package io.seqattn.core.tokenize;

import static io.seqattn.core.tokenize.DnaKmerTokenizerTest.tokenize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdsTokenizerTest {

  @Test
  void idsAreTheNumbersWrittenWhateverTheSplit() {
    String text = " 17,4  902\n0,,31999\t5 ";
    int[] expected = {17, 4, 902, 0, 31999, 5};
    for (int cut = 0; cut <= text.length(); cut++) {
      assertArrayEquals(expected, tokenize(new IdsTokenizer(32000), text.substring(0, cut), text.substring(cut)),
          "split at " + cut);
    }
  }

  @Test
  void anIdBeyondTheVocabularyIsNamedAtItsFirstOffendingDigit() {
    InvalidSymbolException e = assertThrows(InvalidSymbolException.class,
        () -> tokenize(new IdsTokenizer(100), "3 99 1000 4"));
    assertEquals(7, e.index());
    assertTrue(e.getMessage().contains("token id 100") && e.getMessage().contains("vocabulary size 100"),
        e.getMessage());
    InvalidSymbolException huge = assertThrows(InvalidSymbolException.class,
        () -> tokenize(new IdsTokenizer(Integer.MAX_VALUE), "99999999999999999999999"));
    assertTrue(huge.getMessage().contains("is not below the vocabulary size"), huge.getMessage());
  }

  @Test
  void signsAndLettersAreRefused() {
    InvalidSymbolException minus = assertThrows(InvalidSymbolException.class,
        () -> tokenize(new IdsTokenizer(10), "1 -2"));
    assertEquals(2, minus.index());
    assertEquals('-', minus.symbol());
    assertThrows(InvalidSymbolException.class, () -> tokenize(new IdsTokenizer(10), "1 2.0"));
  }
}
