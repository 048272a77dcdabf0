/**
 * A model: its {@link io.seqattn.core.model.ModelConfig} (read and written as {@code config.json} by
 * {@link io.seqattn.core.model.ModelConfigJson}, the tokenizer's part by
 * {@link io.seqattn.core.model.TokenizerSpec}), its weights ({@link io.seqattn.core.model.Model}),
 * the directory they live in ({@link io.seqattn.core.model.ModelDirectory}), seeded initialization
 * ({@link io.seqattn.core.model.ModelInitializer}) and the approximation study's variants. Imports
 * {@code io.seqattn.core.features}, {@code io}, {@code random}, {@code tokenize} and Jackson; no
 * ND4J, no Spark.
 */
package io.seqattn.core.model;
