package io.seqattn.udfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Semigroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * The ordered fold and scan with a maximally order-sensitive semigroup — string concatenation —
 * fed in shuffled order at several partition counts: any merge out of chunk order shows up as a
 * wrong string.
 */
class OrderedScanTest {

  static final Semigroup<String> CONCAT = new Semigroup<>() {
    @Override
    public String merge(String left, String right) {
      return left + right;
    }

    @Override
    public boolean isCommutative() {
      return false;
    }
  };

  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("udfs-tests").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Sequence "s{k}" has k*37+1 chunks; chunk c's value is "<c>". Returned shuffled. */
  static List<Tuple2<ChunkKey, String>> shuffledChunks(long seed) {
    List<Tuple2<ChunkKey, String>> values = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      for (int c = 0; c < k * 37 + 1; c++) {
        values.add(new Tuple2<>(new ChunkKey("s" + k, c), "<" + c + ">"));
      }
    }
    Collections.shuffle(values, new Random(seed));
    return values;
  }

  static String expectedPrefix(int chunks) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < chunks; c++) {
      b.append('<').append(c).append('>');
    }
    return b.toString();
  }

  @Test
  void scanGivesEveryChunkItsOrderedPrefixWhateverTheDeliveryOrder() {
    for (int partitions : new int[] {1, 2, 7}) {
      for (int blockSize : new int[] {1, 5, 64}) {
        JavaPairRDD<ChunkKey, String> rdd = JavaPairRDD.fromJavaRDD(jsc.parallelize(shuffledChunks(partitions), partitions));
        OrderedScan.Result<String> scan = OrderedScan.exclusive(rdd, CONCAT, partitions, blockSize);
        List<Tuple2<ChunkKey, String>> prefixes = scan.prefixes().collect();
        assertEquals(1 + 38 + 75 + 112, prefixes.size());
        for (Tuple2<ChunkKey, String> p : prefixes) {
          if (p._1().index() == 0) {
            assertNull(p._2());
          } else {
            assertEquals(expectedPrefix(p._1().index()), p._2(), p._1() + " at " + partitions + "/" + blockSize);
          }
        }
        Map<String, String> totals = scan.totals().collectAsMap();
        for (int k = 0; k < 4; k++) {
          assertEquals(expectedPrefix(k * 37 + 1), totals.get("s" + k));
        }
      }
    }
  }

  @Test
  void foldMergesInChunkOrderWhateverTheDeliveryOrder() {
    for (int partitions : new int[] {1, 3}) {
      JavaPairRDD<ChunkKey, String> rdd = JavaPairRDD.fromJavaRDD(jsc.parallelize(shuffledChunks(9 + partitions), 4));
      Map<String, String> folded = OrderedFold.perSequence(rdd, CONCAT, partitions).collectAsMap();
      for (int k = 0; k < 4; k++) {
        assertEquals(expectedPrefix(k * 37 + 1), folded.get("s" + k));
      }
    }
  }

  @Test
  void aRepeatedChunkIsADuplicateSequence() {
    List<Tuple2<ChunkKey, String>> values = new ArrayList<>(shuffledChunks(1));
    values.add(new Tuple2<>(new ChunkKey("s2", 3), "<again>"));
    JavaPairRDD<ChunkKey, String> rdd = JavaPairRDD.fromJavaRDD(jsc.parallelize(values, 2));
    SparkException e = assertThrows(SparkException.class,
        () -> OrderedScan.exclusive(rdd, CONCAT, 2, 8).totals().count());
    assertTrue(e.getMessage().contains("duplicate sequence id 's2'"), e.getMessage());
  }
}
