package io.seqattn.core.network;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.attention.Pooling;
import io.seqattn.core.mixer.LayerMixer;
import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.mixer.TokenMixer;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfigJson;
import io.seqattn.core.model.TokenizerSpec;
import java.util.List;

/**
 * A one-layer (format 1) model run by one of its token mixers: the case L = 1, whose kernel is the
 * mixer's own.
 */
public record OneLayerNetwork(Model model, TokenMixer<?> mixer) implements Network {

  @Override
  public String fingerprint() {
    return model.fingerprint();
  }

  @Override
  public TokenizerSpec tokenizer() {
    return model.config().tokenizer();
  }

  @Override
  public int depth() {
    return 1;
  }

  @Override
  public LayerMixer<?> mixer(int layer) {
    if (layer != 0) {
      throw new IndexOutOfBoundsException("a one-layer model has no layer " + layer);
    }
    return mixer;
  }

  @Override
  public Object kernelKey() {
    return List.of(model.fingerprint(), mixer);
  }

  @Override
  public NetworkKernel newKernel() {
    return kernelOf(mixer);
  }

  private <S> NetworkKernel kernelOf(TokenMixer<S> typed) {
    MixerKernel<S> kernel = typed.newKernel(model);
    return new NetworkKernel() {
      @Override
      public Object summarize(int layer, int[] tokens, long start, List<Object> contexts) {
        return kernel.summarize(tokens, start);
      }

      @Override
      @SuppressWarnings("unchecked") // layer 0's context is this mixer's summary
      public ChunkOutputs attend(int[] tokens, long start, List<Object> contexts, boolean keepOutputs) {
        return kernel.attend(tokens, start, (S) contexts.get(0), keepOutputs);
      }
    };
  }

  @Override
  public int outputWidth() {
    return model.config().innerDim();
  }

  @Override
  public int embeddingDim() {
    return model.embeddingDim();
  }

  @Override
  public float[] embedding(PooledSum pooled) {
    return Pooling.embedding(model, pooled);
  }

  @Override
  public String configJson() {
    return ModelConfigJson.toJson(model.config());
  }

  @Override
  public String mode() {
    return mixer.mode();
  }

  @Override
  public String attention() {
    return mixer.attention();
  }
}
