/**
 * Kernel feature maps φ, one record per map (elu, relu, identity, favor+, trig) chosen by name
 * through {@link io.seqattn.core.features.FeatureMaps}: each owns its scalar form, its ND4J form
 * (bound per kernel as a {@link io.seqattn.core.features.FeatureKernel}), its ω rows and its checks;
 * the random-feature maps' ω is drawn here. Imports ND4J, the JDK vector API (in
 * {@code VectorElu} only) and {@code io.seqattn.core.random}; nothing else of seqattn, never Spark.
 */
package io.seqattn.core.features;
