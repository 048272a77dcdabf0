/**
 * Seeded, machine-independent random draws for weights and random features. Pure Java: imports
 * nothing of seqattn, Spark or ND4J.
 */
package io.seqattn.core.random;
