package io.seqattn.core.features;

import java.util.List;

/**
 * The registry of feature maps by their {@code config.json} names. A new map is its class plus a
 * constant and an entry in {@link #ALL} here.
 */
public final class FeatureMaps {
  public static final Elu ELU = new Elu();
  public static final Relu RELU = new Relu();
  public static final Identity IDENTITY = new Identity();
  public static final FavorPlus FAVOR_PLUS = new FavorPlus();
  public static final Trig TRIG = new Trig();

  private static final List<FeatureMap> ALL = List.of(ELU, RELU, IDENTITY, FAVOR_PLUS, TRIG);

  private FeatureMaps() {}

  /** Every map, in the order help texts list them. */
  public static List<FeatureMap> all() {
    return ALL;
  }

  /** The map of a config name ({@link FeatureMap#name}). */
  public static FeatureMap byName(String name) {
    for (FeatureMap map : ALL) {
      if (map.name().equals(name)) {
        return map;
      }
    }
    throw new IllegalArgumentException("unknown feature map '" + name + "' (expected one of "
        + ALL.stream().map(FeatureMap::name).toList() + ")");
  }
}
