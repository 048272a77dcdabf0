package io.seqattn.job.plan;

import io.seqattn.core.mixer.Mixers;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.network.Network;
import io.seqattn.core.network.OneLayerNetwork;
import io.seqattn.job.input.FastaOptions;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.Validation;
import java.util.List;
import java.util.Objects;

/**
 * Everything a run needs, checked together ({@link Builder#build}): the inputs and how to read them,
 * the network to run (a one-layer model with the token mixer chosen for it, or a deep stack), how
 * many partitions to spread chunks over (0 = Spark's default parallelism), whether to keep the
 * per-position outputs, the run directory whose final states the sequences continue from (null
 * for none), whether a mixer with a length limit runs anyway ({@code force}), and what a deep
 * network keeps between its layer passes.
 */
public record RunSpec(List<InputFile> inputs, Readers readers, Network network, String modelDir, int partitions,
    boolean emitOutputs, String continueFrom, boolean force, BetweenLayers betweenLayers) {

  public RunSpec {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(readers, "readers");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(betweenLayers, "betweenLayers");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The settings of a run as a user gives them; {@link #build} cross-checks them. */
  public static final class Builder {
    private List<InputFile> inputs;
    private InputFormat format;
    private Model model;
    private Network network;
    private String modelDir;
    private Mixers attention = Mixers.LINEAR;
    private int chunkSize = 65_536;
    private int partitions;
    private String idField = "id";
    private String textField = "text";
    private String idsField = Readers.IDS_FIELD;
    private Validation validation = Validation.STRICT;
    private boolean skipN;
    private boolean keepSoftMask;
    private boolean emitOutputs;
    private String continueFrom;
    private boolean force;
    private BetweenLayers betweenLayers = BetweenLayers.CACHE;

    private Builder() {}

    public Builder inputs(List<InputFile> files, InputFormat inputFormat) {
      this.inputs = List.copyOf(files);
      this.format = inputFormat;
      return this;
    }

    /** A one-layer (format 1) model, run by the mixer {@link #attention} names. */
    public Builder model(Model value, String dir) {
      this.model = value;
      this.modelDir = dir;
      return this;
    }

    /** A network as it is (a deep stack runs its own mixers: --attention is linear). */
    public Builder network(Network value, String dir) {
      this.network = value;
      this.modelDir = dir;
      return this;
    }

    public Builder attention(Mixers value) {
      this.attention = value;
      return this;
    }

    public Builder chunkSize(int value) {
      this.chunkSize = value;
      return this;
    }

    public Builder partitions(int value) {
      this.partitions = value;
      return this;
    }

    public Builder jsonlFields(String id, String text) {
      this.idField = id;
      this.textField = text;
      return this;
    }

    /** The field (JSONL) or column (Parquet) holding each record's token ids under {@code --format ids}. */
    public Builder idsField(String name) {
      this.idsField = name;
      return this;
    }

    public Builder validation(Validation value) {
      this.validation = value;
      return this;
    }

    public Builder fasta(boolean withSkipN, boolean withKeepSoftMask) {
      this.skipN = withSkipN;
      this.keepSoftMask = withKeepSoftMask;
      return this;
    }

    public Builder emitOutputs(boolean value) {
      this.emitOutputs = value;
      return this;
    }

    public Builder continueFrom(String runDir) {
      this.continueFrom = runDir;
      return this;
    }

    public Builder force(boolean value) {
      this.force = value;
      return this;
    }

    public Builder betweenLayers(BetweenLayers value) {
      this.betweenLayers = value;
      return this;
    }

    /**
     * The spec, once the settings fit together.
     *
     * @throws InvalidRunException saying which setting to change
     */
    public RunSpec build() {
      require(inputs != null && !inputs.isEmpty(), "no inputs");
      require(model != null || network != null, "no model");
      require(chunkSize >= 1, "--chunk-size must be >= 1, got " + chunkSize);
      require(partitions >= 0, "--partitions must be >= 0, got " + partitions);
      Network net = network != null ? network : oneLayer(model);
      if (network != null) {
        require(attention == Mixers.LINEAR, "--attention " + attention + " applies to one-layer (format 1) models; "
            + "a deep model runs its own mixers");
      }
      boolean dnaFasta = format == InputFormat.FASTA && net.tokenizer().type() == TokenizerSpec.Type.DNA;
      require(!(skipN || keepSoftMask) || dnaFasta,
          (skipN ? "--skip-n" : "--keep-soft-mask") + " applies to FASTA input read with a dna model");
      require(!keepSoftMask || emitOutputs, "--keep-soft-mask writes its flags to outputs/: add --emit-outputs");
      if (continueFrom != null) {
        for (int layer = 0; layer < net.depth(); layer++) {
          String reason = net.mixer(layer).cannotContinue();
          if (reason != null) {
            throw new InvalidRunException("--continue-from " + reason
                + (net.depth() > 1 ? " (layer " + layer + ")" : ""));
          }
        }
      }
      boolean limited = false;
      for (int layer = 0; layer < net.depth(); layer++) {
        limited |= net.mixer(layer).lengthLimit() < Long.MAX_VALUE;
      }
      require(!force || limited, "--force applies to --attention " + Mixers.SOFTMAX + " only (" + attention
          + " attention takes sequences of any length)");
      Readers readers = new Readers(net.tokenizer(), chunkSize, idField, textField, idsField, validation,
          new FastaOptions(skipN, keepSoftMask));
      return new RunSpec(inputs, readers, net, modelDir, partitions, emitOutputs, continueFrom, force, betweenLayers);
    }

    private OneLayerNetwork oneLayer(Model oneLayerModel) {
      try {
        return new OneLayerNetwork(oneLayerModel, attention.of(oneLayerModel.config()));
      } catch (IllegalArgumentException e) {
        throw new InvalidRunException("--attention " + attention + ": " + e.getMessage());
      }
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new InvalidRunException(message);
      }
    }
  }

  /** Settings that do not fit together; the message names the option to change. */
  public static final class InvalidRunException extends IllegalArgumentException {
    public InvalidRunException(String message) {
      super(message);
    }
  }
}
