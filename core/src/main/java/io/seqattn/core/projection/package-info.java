/** Low-dimensional views of embeddings, for people to look at (pure double-precision math). */
package io.seqattn.core.projection;
