package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Readers;
import io.seqattn.job.plan.RunDigest;
import io.seqattn.job.plan.RunDirectory;
import io.seqattn.job.testing.InMemoryRun;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --format ids}: token ids as JSONL and as Parquet give exactly the run of the same ids read
 * by the {@code ids} tokenizer from text, for any partition count; every bad record is one line
 * naming file, line or row, record and token, exit status 1 and no output; lenient skips it, and
 * the other records' results are unchanged.
 */
class IdsInputTest {
  /** The ids model's vocabulary size. */
  static final int VOCAB = 300;
  /** Tokens per chunk: every document spans several chunks. */
  static final String CHUNK = "64";

  static SparkSession spark;

  @TempDir Path tmp;
  Path model;
  /** Three documents' ids, seeded: lengths 0 (empty), 150 and 333. */
  List<int[]> docs;

  @BeforeAll
  static void session() {
    spark = SparkTestSession.get();
  }

  @BeforeEach
  void setUp() throws Exception {
    model = tmp.resolve("ids-model");
    ModelDirectory.save(ModelInitializer.random(new ModelConfig(TokenizerSpec.ids(VOCAB), 16, 2, 8, FeatureMaps.ELU,
        Positional.SINUSOIDAL, 1e-6), 6, 11), model);
    Random random = new Random(3);
    docs = new ArrayList<>();
    for (int n : new int[] {0, 150, 333}) {
      docs.add(random.ints(n, 0, VOCAB).toArray());
    }
  }

  @Test
  void jsonlAndParquetIdsEqualTheIdsTokenizerOnTextForAnyPartitions() throws Exception {
    Path texts = Files.createDirectories(tmp.resolve("texts"));
    StringBuilder jsonl = new StringBuilder();
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < docs.size(); d++) {
      String name = "doc" + d + ".txt";
      String text = Arrays.stream(docs.get(d)).mapToObj(Integer::toString).collect(Collectors.joining(" "));
      Files.writeString(texts.resolve(name), text.isEmpty() ? "\n" : text + "\n");
      jsonl.append("{\"id\": \"").append(name).append("\", \"ids\": ").append(Arrays.toString(docs.get(d)))
          .append(", \"lang\": \"en\"}\n");
      rows.add(RowFactory.create(name, IntStream.of(docs.get(d)).boxed().toArray(Integer[]::new)));
    }
    Path parquet = tmp.resolve("docs.parquet");
    StructType schema = new StructType().add("id", DataTypes.StringType)
        .add("ids", DataTypes.createArrayType(DataTypes.IntegerType));
    spark.createDataFrame(rows, schema).repartition(2).write().parquet(parquet.toString());

    int[] longBad = docs.get(2).clone();
    longBad[200] = VOCAB; // beyond the vocabulary, in the fourth chunk of the record
    Path mixed = Files.writeString(tmp.resolve("mixed.jsonl"), jsonl + "{\"id\": \"bad\", \"ids\": "
        + Arrays.toString(longBad) + "}\n{\"id\": \"worse\", \"ids\": [1.5]}\n");

    Path fromText = ok(args(model, texts, "text", "text", "--partitions", "1", "--emit-outputs"));
    Path fromParquet1 = ok(args(model, parquet, "ids", "parquet1", "--partitions", "1", "--emit-outputs"));
    Path fromParquet3 = ok(args(model, parquet, "ids", "parquet3", "--partitions", "3", "--emit-outputs"));
    // The JSONL records, with two bad ones skipped: the others' results are those of the text run.
    Path lenient = ok(args(model, mixed, "ids", "lenient", "--validation", "lenient", "--partitions", "3",
        "--emit-outputs"));

    assertEquals(digest(fromParquet1), digest(fromParquet3), "Parquet: 1 and 3 partitions");
    // Sources (file:line) differ between inputs; states, outputs and embedding values do not.
    RunTables expected = new RunTables(spark, fromText);
    List<RunDigest.TableDigest> expectedDigest = digestWithoutEmbeddings(fromText);
    for (Path other : List.of(fromParquet3, lenient)) {
      assertEquals(expectedDigest, digestWithoutEmbeddings(other), other.toString());
      RunTables actual = new RunTables(spark, other);
      assertEquals(expected.tokens, actual.tokens);
      expected.embeddings.forEach((id, e) -> assertArrayEquals(e, actual.embeddings.get(id), id));
    }
    assertEquals(333L, expected.tokens.get("doc2.txt"));

    JsonNode report = new ObjectMapper().readTree(lenient.resolve("run.json").toFile());
    assertEquals(2, report.at("/skipped/records").asInt(), report.toString());
    assertEquals("bad", report.at("/skipped/listed/0/seq_id").asText());
    assertEquals(mixed + ":4: record 'bad': token 200 is 300, beyond the model's vocabulary of 300 (re-tokenize "
        + "with the model's tokenizer or use a model with a larger vocab_size)",
        report.at("/skipped/listed/0/reason").asText());
  }

  @Test
  void bigintParquetOnAModelWhoseTokenizerIsNotIdsEqualsTheInMemoryRun() throws Exception {
    Path words = tmp.resolve("words-model");
    ModelDirectory.save(TestModels.words(), words); // vocabulary 4096: every id of VOCAB fits
    List<Row> rows = new ArrayList<>();
    StringBuilder jsonl = new StringBuilder();
    for (int d = 0; d < docs.size(); d++) {
      rows.add(RowFactory.create((long) d, IntStream.of(docs.get(d)).asLongStream().boxed().toArray(Long[]::new)));
      jsonl.append("{\"id\": ").append(d).append(", \"ids\": ").append(Arrays.toString(docs.get(d))).append("}\n");
    }
    Path parquet = tmp.resolve("long.parquet");
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("ids", DataTypes.createArrayType(DataTypes.LongType));
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(parquet.toString());
    Path jsonlFile = Files.writeString(tmp.resolve("docs.jsonl"), jsonl);
    RunTables actual = new RunTables(spark, ok(args(words, parquet, "ids", "a")));
    InMemoryRun expected = new InMemoryRun(TestModels.words(), new Readers(TestModels.words().config().tokenizer(),
        Integer.parseInt(CHUNK), "id", "text"), List.of(new InputFile(jsonlFile.toString(), InputFormat.IDS)));
    assertEquals(expected.embeddings.keySet(), actual.embeddings.keySet());
    expected.embeddings.forEach((id, e) -> assertArrayEquals(e, actual.embeddings.get(id), id));
  }

  @Test
  void everyBadJsonlRecordIsOneLine() throws Exception {
    String good = "{\"id\": \"ok\", \"ids\": [1, 2, 3]}\n";
    String[][] cases = {
        {"{\"id\": \"doc-42\", \"ids\": [1, 2, 3, 70000]}", "record 'doc-42': token 3 is 70000, beyond the model's "
            + "vocabulary of 300 (re-tokenize with the model's tokenizer or use a model with a larger vocab_size)"},
        {"{\"ids\": [1, 2, 299, 300], \"id\": \"late\"}", "record 'late': token 3 is 300, beyond the model's "
            + "vocabulary of 300"},
        {"{\"id\": \"n\", \"ids\": [5, -1]}", "record 'n': token 1 is -1, a negative id (token ids are "
            + "non-negative integers; re-tokenize with the model's tokenizer)"},
        {"{\"id\": \"f\", \"ids\": [5, 1.5]}", "record 'f': token 1 is 1.5, not an integer (token ids are integers "
            + "in [0, 300))"},
        {"{\"id\": \"s\", \"ids\": [\"7\"]}", "record 's': token 0 is \"7\", not an integer"},
        {"{\"id\": \"z\", \"ids\": [1, null]}", "record 'z': token 1 is null, not an integer"},
        {"{\"id\": \"huge\", \"ids\": [99999999999999999999]}", "record 'huge': token 0 is 99999999999999999999, "
            + "beyond the model's vocabulary of 300"},
        {"{\"id\": \"m\", \"tokens\": [1]}", "record 'm' has no ids field 'ids' (choose the field with --ids-field)"},
        {"{\"id\": \"t\", \"ids\": \"1 2 3\"}", "record 't': field 'ids' is a string, not an array of token ids "
            + "(choose the field with --ids-field)"},
        {"{\"ids\": [1]}", "record has no id field 'id' (a non-empty string or an integer; choose the field with "
            + "--id-field)"},
    };
    for (String[] c : cases) {
      Path f = Files.writeString(tmp.resolve("bad.jsonl"), good + "\n" + c[0] + "\n");
      assertOneLineFailure(run(f, "ids", "out"), f + ":3: " + c[1], "out");
    }
  }

  @Test
  void badParquetRowsAndColumns() throws Exception {
    StructType schema = new StructType().add("id", DataTypes.StringType)
        .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, true));
    Path beyond = parquetFile("beyond", schema, RowFactory.create("a", new Integer[] {1, 2}),
        RowFactory.create("doc-42", new Integer[] {4, 5, 6, 70000}));
    assertOneLineFailure(run(beyond, "ids", "o"), beyond + ": row 1: record 'doc-42': token 3 is 70000, beyond the "
        + "model's vocabulary of 300 (re-tokenize with the model's tokenizer or use a model with a larger vocab_size)",
        "o");
    Path nulls = parquetFile("nulls", schema, RowFactory.create("a", new Integer[] {1, null, -3}),
        RowFactory.create("b", null), RowFactory.create("c", new Integer[] {7}));
    assertOneLineFailure(run(nulls, "ids", "o"), nulls + ": row 0: record 'a': token 1 is null, not an integer", "o");
    Path kept = ok(args(model, nulls, "ids", "kept", "--validation", "lenient"));
    JsonNode report = new ObjectMapper().readTree(kept.resolve("run.json").toFile());
    assertEquals(2, report.at("/skipped/records").asInt(), report.toString());
    assertEquals(1, report.at("/counts/sequences").asInt(), report.toString());
    assertEquals(nulls + ": row 1: record 'b' has no ids field 'ids' (choose the column with --ids-field)",
        report.at("/skipped/listed/1/reason").asText());
    Path noColumn = parquetFile("nocolumn", new StructType().add("id", DataTypes.StringType)
        .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType)), RowFactory.create("a", new Integer[] {1}));
    assertOneLineFailure(run(noColumn, "ids", "o"), noColumn + ": no ids column 'ids' (an array<int> or array<bigint> "
        + "column of token ids; choose it with --ids-field; columns: [id, tokens])", "o");
    Path doubles = parquetFile("doubles", new StructType().add("id", DataTypes.StringType)
        .add("ids", DataTypes.createArrayType(DataTypes.DoubleType)), RowFactory.create("a", new Double[] {1.5}));
    assertOneLineFailure(run(doubles, "ids", "o"), doubles + ": ids column 'ids' is array<double>", "o");
  }

  private Path parquetFile(String name, StructType schema, Row... rows) {
    Path dir = tmp.resolve(name + "-table");
    spark.createDataFrame(List.of(rows), schema).coalesce(1).write().parquet(dir.toString());
    try (var listing = Files.list(dir)) {
      return listing.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String[] args(Path modelDir, Path input, String format, String out, String... more) {
    List<String> all = new ArrayList<>(List.of("run", "--input", input.toString(), "--format", format, "--model",
        modelDir.toString(), "--output", tmp.resolve(out).toString(), "--chunk-size", CHUNK));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private BadInputTest.Result run(Path input, String format, String out, String... more) {
    return BadInputTest.cli(args(model, input, format, out, more));
  }

  /** The run directory of a successful run. */
  private Path ok(String[] args) {
    BadInputTest.Result r = BadInputTest.cli(args);
    assertEquals(0, r.status(), r.err());
    return Path.of(args[List.of(args).indexOf("--output") + 1]);
  }

  private void assertOneLineFailure(BadInputTest.Result r, String expected, String out) {
    assertEquals(1, r.status(), r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r.err());
    String line = lines.get(0);
    assertEquals("seqattn: error: " + expected, line.substring(0, Math.min(line.length(), 16 + expected.length())),
        r.err());
    assertFalse(Files.exists(tmp.resolve(out)), "no output directory after a failed run");
  }

  private static List<RunDigest.TableDigest> digest(Path run) throws Exception {
    return RunDigest.of(spark, RunDirectory.open(run.toString(), spark.sparkContext().hadoopConfiguration()));
  }

  private static List<RunDigest.TableDigest> digestWithoutEmbeddings(Path run) throws Exception {
    return digest(run).stream().filter(d -> !d.table().equals("embeddings")).toList();
  }
}
