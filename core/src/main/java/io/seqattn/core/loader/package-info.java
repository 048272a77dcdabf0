/**
 * Opening a model directory whatever its format: the one place that knows both the one-layer
 * format ({@code io.seqattn.core.model}) and deep stacks ({@code io.seqattn.core.stack}).
 */
package io.seqattn.core.loader;
