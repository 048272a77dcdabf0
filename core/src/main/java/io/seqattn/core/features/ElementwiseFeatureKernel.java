package io.seqattn.core.features;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * An {@link ElementwiseFeatureMap} on ND4J: φ over whole contiguous arrays — all heads at once,
 * since ND4J's strided elementwise path costs ten times as much — and a head's features a column
 * block (view) of them, at scale 1.
 */
final class ElementwiseFeatureKernel implements FeatureKernel {
  private final ElementwiseFeatureMap map;
  private final int dHead;

  ElementwiseFeatureKernel(ElementwiseFeatureMap map, int dHead) {
    this.map = map;
    this.dHead = dHead;
  }

  @Override
  public INDArray scratch(int n) {
    return null;
  }

  @Override
  public void prepareKeys(INDArray keys, INDArray present) {
    map.applyInPlace(keys);
    if (present != null) {
      keys.muliColumnVector(present); // absent positions have no key
    }
  }

  @Override
  public void prepareQueries(INDArray queries) {
    map.applyInPlace(queries);
  }

  @Override
  public KeyFeatures keys(int h, INDArray keys, INDArray present, INDArray scratch) {
    return new KeyFeatures(head(keys, h), 0.0);
  }

  @Override
  public QueryFeatures queries(int h, INDArray queries, INDArray scratch) {
    return new QueryFeatures(head(queries, h), null);
  }

  private INDArray head(INDArray perHead, int h) {
    return perHead.get(NDArrayIndex.all(), NDArrayIndex.interval((long) h * dHead, (long) (h + 1) * dHead));
  }
}
