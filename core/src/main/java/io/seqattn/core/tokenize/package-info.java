/**
 * Tokenizers that stream a sequence's text into token ids (DNA k-mers, bytes, hashed words), with
 * positions global by construction. Pure Java: imports nothing of seqattn, ND4J or Spark.
 */
package io.seqattn.core.tokenize;
