/**
 * Exact gradients of format-2 models over whole sequences, chunk by chunk (issue #16).
 *
 * <p>A global layer's output at any position depends on the whole sequence only through its state
 * (S, z) = Σ over chunks. So the gradient of a loss decomposes like the forward pass: a chunk's
 * backward with the state held fixed gives its parameter gradients and its share of the state's
 * adjoint (∂loss/∂S, ∂loss/∂z); those shares are summed in chunk order, the adjoint of the
 * forward's ordered reduction; and a second per-chunk pass sends the total adjoint back through
 * the chunk's keys and values. Each step is a function of one chunk plus a few m × d_v numbers, so
 * the same pieces run chunk by chunk in one JVM ({@link io.seqattn.core.train.SequenceGradient})
 * or distributed.
 *
 * <p>A causal layer's chunk reads the exclusive prefix of the summaries before it, so the adjoint
 * flows the other way: a reverse (suffix) scan A_(c−1) = share_c + e^(Λ_c)·A_c of the chunks'
 * shares gives each chunk's summary adjoint, and inside a chunk the same recursion runs over
 * blocks of 64 positions. Data-dependent gates need no scan of their own: the decay between a
 * query at t and a key at j is e^(G_t − G_j), so ∂loss/∂g is a suffix sum of Σ_m(q ⊙ ∂q − k ⊙
 * ∂k) over the sequence (Yang et al., 2024, GLA's gate gradient).
 *
 * <p>The backward is written out by hand in GEMMs (the same shapes as the forward's, transposed),
 * rather than through ND4J's SameDiff: each piece is a few lines that the tests check against
 * PyTorch autograd and finite differences, it runs in float or double, and it shares nothing with
 * a graph executor whose reductions and memory the project does not control.
 *
 * <p>Pure math: nothing here imports Spark.
 */
package io.seqattn.core.train;
