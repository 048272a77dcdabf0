package io.seqattn.core.mixer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspaceManager;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J workspace every kernel's chunk work runs in, one per task thread: arrays made inside
 * {@link #enter()} live in memory the workspace reuses from chunk to chunk, so after the first
 * chunk a task allocates no new off-heap memory for its intermediate arrays. Arrays that must
 * outlive a chunk (weights, tables) are made with {@link #outside()}.
 *
 * <p>A workspace learns its size in its first cycle, whose arrays are all allocated outside it —
 * and ND4J's allocations outside a workspace are slow: a 4-layer d_model 128 block's first 64k-token
 * chunk took 15–20 s against 1.3 s once learned. Spark runs tasks on pooled threads that come and
 * go, so every new thread would pay that again; instead a thread's workspace starts at the largest
 * size any thread of this JVM has learned, and only the JVM's first chunk of each size pays it.
 *
 * <p>A workspace frees nothing until its cycle ends, and a cycle that outgrows it spills into slow
 * outside allocations and then reallocates the whole workspace (fresh pages, touched again). So a
 * loop whose iterations each make large temporaries — a chunk's heads, a causal head's runs of exact
 * blocks, whose number depends on the data — runs each iteration in a {@link #scope(String) nested
 * scope}: its temporaries are reused from iteration to iteration, the chunk's workspace holds only
 * what outlives them, and its size no longer grows with the data.
 */
public final class ChunkWorkspace {
  private static final String ID = "seqattn-chunk-kernel";
  private static final WorkspaceConfiguration CONFIGURATION = configuration(0);
  /** The largest size (bytes) each workspace of this JVM has reached, by workspace id. */
  private static final ConcurrentMap<String, AtomicLong> LEARNED = new ConcurrentHashMap<>();

  private ChunkWorkspace() {}

  /** Opens this thread's chunk workspace; close it (try-with-resources) when the chunk is done. */
  public static MemoryWorkspace enter() {
    return open(ID);
  }

  /**
   * Opens a workspace nested in the current one for one iteration of a loop inside a chunk (close
   * it when the iteration is done); arrays it makes are gone after that, so copy what the iteration
   * produces into an array of the enclosing workspace (an {@code assign}) or a Java array first.
   */
  public static MemoryWorkspace scope(String name) {
    return open(ID + "-" + name);
  }

  private static MemoryWorkspace open(String id) {
    MemoryWorkspaceManager workspaces = Nd4j.getWorkspaceManager();
    AtomicLong learned = LEARNED.computeIfAbsent(id, k -> new AtomicLong());
    WorkspaceConfiguration configuration = workspaces.checkIfWorkspaceExists(id) ? CONFIGURATION
        : configuration(learned.get());
    MemoryWorkspace workspace = workspaces.getAndActivateWorkspace(configuration, id);
    learned.accumulateAndGet(workspace.getCurrentSize(), Math::max);
    return workspace;
  }

  /** A scope in which arrays are made outside any workspace: for what a kernel keeps. */
  public static MemoryWorkspace outside() {
    return Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
  }

  /** Grows to what a cycle needs (20% more), learning from the first cycle when it starts empty. */
  private static WorkspaceConfiguration configuration(long initialSize) {
    return WorkspaceConfiguration.builder()
        .initialSize(initialSize)
        .policyAllocation(AllocationPolicy.OVERALLOCATE)
        .overallocationLimit(0.2)
        .policyLearning(initialSize > 0 ? LearningPolicy.NONE : LearningPolicy.FIRST_LOOP)
        .policySpill(SpillPolicy.REALLOCATE)
        .build();
  }
}
