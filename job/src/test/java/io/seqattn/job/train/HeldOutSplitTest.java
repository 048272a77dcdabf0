package io.seqattn.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The held-out split of labelled records: k folds partition the records, each fold holding
 * ⌊c/k⌋ or ⌈c/k⌉ of every class c; the seed fixes it; a share holds out round(f·c) of each class;
 * a class too small for the split is refused by name.
 */
class HeldOutSplitTest {

  /** 23 "a", 9 "b", 8 "c", interleaved as a file might hold them. */
  private static List<String> labels() {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      labels.add(i < 20 ? (i % 2 == 0 ? "a" : (i % 4 == 1 ? "b" : "c")) : i < 33 ? "a" : i < 37 ? "b" : "c");
    }
    return labels;
  }

  @Test
  void foldsPartitionTheRecordsStratifiedByClass() {
    List<String> labels = labels();
    int k = 4;
    int[] timesHeld = new int[labels.size()];
    for (int f = 0; f < k; f++) {
      boolean[] held = HeldOutSplit.fold(k, f).heldOut(labels, 7, "x.jsonl");
      for (String c : List.of("a", "b", "c")) {
        long members = labels.stream().filter(c::equals).count();
        int inFold = 0;
        for (int i = 0; i < held.length; i++) {
          inFold += held[i] && labels.get(i).equals(c) ? 1 : 0;
        }
        assertTrue(inFold == members / k || inFold == (members + k - 1) / k, c + " in fold " + f + ": " + inFold);
      }
      for (int i = 0; i < held.length; i++) {
        timesHeld[i] += held[i] ? 1 : 0;
      }
    }
    int[] once = new int[labels.size()];
    java.util.Arrays.fill(once, 1);
    assertArrayEquals(once, timesHeld, "every record is held out by exactly one fold");
  }

  @Test
  void theSeedFixesTheSplit() {
    List<String> labels = labels();
    assertArrayEquals(HeldOutSplit.fold(3, 1).heldOut(labels, 7, "x"), HeldOutSplit.fold(3, 1).heldOut(labels, 7, "x"));
    assertFalse(java.util.Arrays.equals(HeldOutSplit.fold(3, 1).heldOut(labels, 7, "x"),
        HeldOutSplit.fold(3, 1).heldOut(labels, 8, "x")), "another seed, another split");
  }

  @Test
  void aShareHoldsOutItsRoundedPartOfEveryClass() {
    List<String> labels = labels();
    boolean[] held = HeldOutSplit.share(0.25).heldOut(labels, 7, "x");
    int[] perClass = new int[3];
    for (int i = 0; i < held.length; i++) {
      perClass[labels.get(i).charAt(0) - 'a'] += held[i] ? 1 : 0;
    }
    assertArrayEquals(new int[] {6, 2, 2}, perClass, "round(0.25 * 23, 9, 8)");
    boolean[] none = HeldOutSplit.share(0).heldOut(labels, 7, "x");
    assertFalse(java.util.stream.IntStream.range(0, none.length).anyMatch(i -> none[i]));
  }

  @Test
  void aClassTooSmallIsRefusedByName() {
    List<String> labels = labels();
    TrainingException folds = assertThrows(TrainingException.class,
        () -> HeldOutSplit.fold(9, 0).heldOut(labels, 7, "docs.jsonl"));
    assertEquals("docs.jsonl: class 'c' has 8 record(s), fewer than --folds 9 (every fold needs one of each class: "
        + "lower --folds, or add records)", folds.getMessage());
    TrainingException share = assertThrows(TrainingException.class,
        () -> HeldOutSplit.share(0.95).heldOut(labels, 7, "docs.jsonl"));
    assertTrue(share.getMessage().startsWith("docs.jsonl: class 'b' has 9 record(s); --eval-fraction 0.95 leaves "
        + "none to train on"), share.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.fold(1, 0));
    assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.fold(3, 3));
    assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.share(1.0));
  }
}
