package io.seqattn.core.mixer;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
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
 */
public final class ChunkWorkspace {
  private static final WorkspaceConfiguration CONFIGURATION = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(0.2)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();
  private static final String ID = "seqattn-chunk-kernel";

  private ChunkWorkspace() {}

  /** Opens this thread's chunk workspace; close it (try-with-resources) when the chunk is done. */
  public static MemoryWorkspace enter() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIGURATION, ID);
  }

  /** A scope in which arrays are made outside any workspace: for what a kernel keeps. */
  public static MemoryWorkspace outside() {
    return Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
  }
}
