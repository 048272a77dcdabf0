package io.seqattn.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.safetensors.SafetensorsBytes;
import io.seqattn.core.safetensors.SafetensorsBytes.Tensor;
import io.seqattn.core.safetensors.SafetensorsFile;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackInitializer;
import io.seqattn.core.stack.StackModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints written in Java under each layout's names, from a random model, import back to
 * exactly that model; each kind of misfit is refused naming the tensors. The FLA names here are
 * spelled out independently of {@link FlaGlaLayout}, from the reference's {@code fla_checkpoint}.
 */
class CheckpointImportTest {
  /**
   * q_proj of a query scale other than d_k^(−1/2) carries s·√d_k·W_q: rounded once when written and
   * once when divided back, so within 2 float32 ulps (relative 2.4e-7) of W_q.
   */
  static final double SCALED_ALLOWED = 2.5e-7;

  @TempDir Path tmp;

  static String glaConfig(double queryScale, String positional) {
    String layer = "{\"norm\": {\"type\": \"rmsnorm\", \"eps\": 1e-6}, \"mixer\": {\"type\": \"linear_attention\", "
        + "\"heads\": 2, \"d_key\": 4, \"d_value\": 3, \"feature_map\": \"identity\", \"query_scale\": " + queryScale
        + ", \"rope\": false, \"normalizer\": \"none\", \"eps\": 1e-6, \"causal\": true, "
        + "\"gate\": {\"type\": \"gla\", \"rank\": 3, \"tau\": 16.0}, "
        + "\"output_norm\": {\"type\": \"rmsnorm\", \"eps\": 1e-6}, \"output_gate\": true}, "
        + "\"ffn\": {\"type\": \"swiglu\", \"d_ff\": 10}}";
    return "{\"format\": 2, \"tokenizer\": {\"type\": \"ids\", \"vocab_size\": 11}, \"d_model\": 6, "
        + "\"positional\": \"" + positional + "\", \"layers\": [" + layer + ", " + layer + "], "
        + "\"final_norm\": {\"type\": \"rmsnorm\", \"eps\": 1e-6}, \"d_out\": 0}";
  }

  static final StackConfig GLA = StackConfigJson.parse(glaConfig(0.5, "none"));

  private static float[] transpose(float[] values, int[] shape) {
    float[] t = new float[values.length];
    for (int i = 0; i < shape[0]; i++) {
      for (int o = 0; o < shape[1]; o++) {
        t[o * shape[0] + i] = values[i * shape[1] + o];
      }
    }
    return t;
  }

  /** The model in FLA's names under {@code prefix}, Linear weights [out, in], q_proj times {@code fold}. */
  static List<Tensor> fla(StackModel model, String prefix, float fold) {
    Map<String, int[]> shapes = model.config().tensorShapes();
    List<Tensor> out = new ArrayList<>();
    out.add(new Tensor(prefix + "embeddings.weight", shapes.get("embedding"), model.tensor("embedding")));
    for (int i = 0; i < model.config().depth(); i++) {
      String p = "layers." + i + ".";
      String q = prefix + "layers." + i + ".";
      String[][] pairs = {
          {"norm1.weight", "attn_norm.weight", "-"}, {"mixer.wq", "attn.q_proj.weight", "T"},
          {"mixer.wk", "attn.k_proj.weight", "T"}, {"mixer.wv", "attn.v_proj.weight", "T"},
          {"mixer.wg", "attn.g_proj.weight", "T"}, {"mixer.gate.w1", "attn.gk_proj.0.weight", "T"},
          {"mixer.gate.w2", "attn.gk_proj.1.weight", "T"}, {"mixer.gate.b", "attn.gk_proj.1.bias", "-"},
          {"mixer.wo", "attn.o_proj.weight", "T"}, {"mixer.out_norm.weight", "attn.g_norm_swish_gate.weight", "-"},
          {"norm2.weight", "mlp_norm.weight", "-"}, {"ffn.w_gate", "mlp.gate_proj.weight", "T"},
          {"ffn.w_up", "mlp.up_proj.weight", "T"}, {"ffn.w_down", "mlp.down_proj.weight", "T"}};
      for (String[] pair : pairs) {
        int[] shape = shapes.get(p + pair[0]);
        float[] values = model.tensor(p + pair[0]).clone();
        if (pair[0].equals("mixer.wq")) {
          for (int k = 0; k < values.length; k++) {
            values[k] *= fold;
          }
        }
        boolean t = pair[2].equals("T");
        out.add(new Tensor(q + pair[1], t ? new int[] {shape[1], shape[0]} : shape,
            t ? transpose(values, shape) : values));
      }
    }
    out.add(new Tensor(prefix + "norm.weight", shapes.get("final_norm.weight"), model.tensor("final_norm.weight")));
    return out;
  }

  static List<Tensor> reference(StackModel model) {
    List<Tensor> out = new ArrayList<>();
    model.config().tensorShapes().forEach((name, shape) -> out.add(new Tensor(name, shape, model.tensor(name))));
    return out;
  }

  private CheckpointImport.Imported importFile(List<Tensor> tensors, StackConfig config, CheckpointLayouts layout)
      throws IOException {
    Path file = SafetensorsBytes.write(tmp, "ckpt.safetensors", SafetensorsBytes.f32File(tensors));
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      return CheckpointImport.read(f, config, layout.layout());
    }
  }

  private static void assertSameModel(StackModel expected, StackModel actual) {
    assertEquals(expected.tensors().keySet(), actual.tensors().keySet());
    expected.tensors().forEach((name, values) -> assertArrayEquals(values, actual.tensor(name), name));
    assertEquals(expected.fingerprint(), actual.fingerprint());
  }

  @Test
  void referenceLayoutImportsTheSameModel() throws IOException {
    StackModel model = StackInitializer.random(GLA, 3);
    CheckpointImport.Imported imported = importFile(reference(model), GLA, CheckpointLayouts.REFERENCE);
    assertSameModel(model, imported.model());
    assertEquals(List.of(), imported.skipped());
  }

  @Test
  void flaLayoutImportsTheSameModelWithOrWithoutThePrefixAndSkipsTheLmHead() throws IOException {
    StackModel model = StackInitializer.random(GLA, 4);
    List<Tensor> causalLm = new ArrayList<>(fla(model, "model.", 1f));
    causalLm.add(new Tensor("lm_head.weight", new int[] {11, 6}, new float[66]));
    CheckpointImport.Imported imported = importFile(causalLm, GLA, CheckpointLayouts.FLA);
    assertSameModel(model, imported.model());
    assertEquals(List.of("lm_head.weight"), imported.skipped());
    assertSameModel(model, importFile(fla(model, "", 1f), GLA, CheckpointLayouts.FLA).model());
  }

  @Test
  void flaLayoutDividesTheFoldedQueryScaleOutOfQProj() throws IOException {
    StackConfig unitScale = StackConfigJson.parse(glaConfig(1.0, "none"));
    StackModel model = StackInitializer.random(unitScale, 5);
    StackModel imported = importFile(fla(model, "model.", 2f), unitScale, CheckpointLayouts.FLA).model(); // √4
    float[] expected = model.tensor("layers.1.mixer.wq");
    float[] actual = imported.tensor("layers.1.mixer.wq");
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k], actual[k], SCALED_ALLOWED * Math.abs(expected[k]), "element " + k);
    }
  }

  private void assertMisfit(List<Tensor> tensors, StackConfig config, CheckpointLayouts layout, String... parts) {
    CheckpointException e = assertThrows(CheckpointException.class, () -> importFile(tensors, config, layout));
    assertTrue(e.getMessage().startsWith(tmp.resolve("ckpt.safetensors") + ": "), e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
  }

  @Test
  void aMissingTensorIsNamedInBothNamings() {
    List<Tensor> tensors = fla(StackInitializer.random(GLA, 6), "model.", 1f);
    tensors.removeIf(t -> t.name().equals("model.layers.1.attn.gk_proj.1.bias"));
    assertMisfit(tensors, GLA, CheckpointLayouts.FLA, "tensor 'layers.1.mixer.gate.b' [8] is missing",
        "no 'model.layers.1.attn.gk_proj.1.bias'");
  }

  @Test
  void anUnusedTensorIsNamed() {
    List<Tensor> tensors = new ArrayList<>(reference(StackInitializer.random(GLA, 7)));
    tensors.add(new Tensor("head.wo", new int[] {6, 2}, new float[12]));
    assertMisfit(tensors, GLA, CheckpointLayouts.REFERENCE, "'head.wo' [6, 2] is not used by this config");
  }

  @Test
  void aWrongShapeNamesBothShapes() {
    StackModel model = StackInitializer.random(GLA, 8);
    List<Tensor> tensors = new ArrayList<>(fla(model, "model.", 1f));
    // q_proj written [in, out], as format 2 would: FLA's is [out, in]
    tensors.replaceAll(t -> t.name().equals("model.layers.0.attn.q_proj.weight")
        ? new Tensor(t.name(), new int[] {6, 8}, model.tensor("layers.0.mixer.wq")) : t);
    assertMisfit(tensors, GLA, CheckpointLayouts.FLA, "'model.layers.0.attn.q_proj.weight' has shape [6, 8]",
        "tensor 'layers.0.mixer.wq' [6, 8] needs [8, 6] (stored [out, in])");
  }

  @Test
  void aConfigThatIsNotGlaIsRefusedForTheFlaLayoutWithEveryReason() {
    StackConfig sinusoidal = StackConfigJson.parse(glaConfig(0.5, "sinusoidal"));
    assertMisfit(fla(StackInitializer.random(sinusoidal, 9), "model.", 1f), sinusoidal, CheckpointLayouts.FLA,
        "not GLA-shaped", "positional is 'sinusoidal'");
  }

  @Test
  void nonFiniteWeightsAreRefused() {
    StackModel model = StackInitializer.random(GLA, 10);
    List<Tensor> tensors = new ArrayList<>(reference(model));
    float[] bad = model.tensor("final_norm.weight").clone();
    bad[2] = Float.NaN;
    tensors.replaceAll(t -> t.name().equals("final_norm.weight") ? new Tensor(t.name(), t.shape(), bad) : t);
    assertMisfit(tensors, GLA, CheckpointLayouts.REFERENCE, "final_norm.weight", "NaN");
  }
}
