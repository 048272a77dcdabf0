package io.seqattn.job.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Which labelled records a run holds out: a stratified share of every class, or one fold of a
 * stratified k-fold partition. Both start from the same seeded order: per class, in class-name
 * order, the record indices shuffled by {@code Random(seed · 7919 + c)} for the c-th class. A
 * share holds out the first round(f · count) of each class; k folds deal each class's records to
 * folds 0, 1, …, k−1 in turn, so every fold has ⌊count/k⌋ or ⌈count/k⌉ of every class. A value,
 * so the runs of every fold of one cross-validation see the same partition.
 */
public record HeldOutSplit(double fraction, int folds, int fold) {

  public HeldOutSplit {
    if (folds == 0 ? !(fraction >= 0 && fraction < 1) : folds < 2 || fold < 0 || fold >= folds) {
      throw new IllegalArgumentException("a held-out share in [0, 1), or fold 0 <= i < k of k >= 2 folds; got "
          + "fraction " + fraction + ", fold " + fold + " of " + folds);
    }
  }

  /** The first share f of every class (0: nothing held out). */
  public static HeldOutSplit share(double fraction) {
    return new HeldOutSplit(fraction, 0, 0);
  }

  /** Fold {@code fold} (0-based) of a stratified {@code folds}-fold partition. */
  public static HeldOutSplit fold(int folds, int fold) {
    return new HeldOutSplit(0, folds, fold);
  }

  /** How a log names it: "0.2 of each class" or "fold 2 of 5". */
  public String describe() {
    return folds == 0 ? fraction + " of each class" : "fold " + (fold + 1) + " of " + folds;
  }

  /**
   * Per record (labels in file order), whether it is held out; a class the split would leave with
   * nothing to train on, or with fewer records than folds, is refused naming the class.
   */
  public boolean[] heldOut(List<String> labels, long seed, String input) {
    boolean[] held = new boolean[labels.size()];
    if (folds == 0 && fraction == 0) {
      return held;
    }
    for (Map.Entry<String, List<Integer>> e : seededClasses(labels, seed).entrySet()) {
      List<Integer> members = e.getValue();
      if (folds > 0) {
        if (members.size() < folds) {
          throw new TrainingException(input + ": class '" + e.getKey() + "' has " + members.size() + " record(s), "
              + "fewer than --folds " + folds + " (every fold needs one of each class: lower --folds, or add records)");
        }
        for (int i = 0; i < members.size(); i++) {
          held[members.get(i)] = i % folds == fold;
        }
      } else {
        int count = (int) Math.round(fraction * members.size());
        if (count >= members.size()) {
          throw new TrainingException(input + ": class '" + e.getKey() + "' has " + members.size() + " record(s); "
              + "--eval-fraction " + fraction + " leaves none to train on (lower it, or add records)");
        }
        for (int i = 0; i < count; i++) {
          held[members.get(i)] = true;
        }
      }
    }
    return held;
  }

  /** Class name → its record indices in the seeded order, classes in name order. */
  private static Map<String, List<Integer>> seededClasses(List<String> labels, long seed) {
    Map<String, List<Integer>> byClass = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      byClass.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
    }
    int c = 0;
    for (List<Integer> members : byClass.values()) {
      Collections.shuffle(members, new Random(seed * 7919L + c++));
    }
    return byClass;
  }
}
