package io.seqattn.udfs;

import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.SparkSessionExtensionsProvider;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.classic.UserDefinedFunctionUtils$;
import org.apache.spark.sql.execution.aggregate.ScalaAggregator$;
import org.apache.spark.sql.expressions.SparkUserDefinedFunction;
import org.apache.spark.sql.expressions.UserDefinedAggregator;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.runtime.BoxedUnit;

/**
 * The seqattn SQL functions of {@link SeqAttnFunctions} in every session, by configuration alone:
 *
 * <pre>
 * spark-sql --jars seqattn-job-all.jar \
 *   --conf spark.sql.extensions=io.seqattn.udfs.SeqAttnSessionExtensions \
 *   --conf spark.seqattn.model=/models/dna
 * </pre>
 *
 * so {@code spark-sql}, Thrift/JDBC clients and PySpark sessions call {@code seqattn_merge(…)}
 * without the JVM gateway. The functions are injected as the session is built; each call resolves
 * the model when a query is analysed, from {@value #MODEL_CONF} of the session running it (a Spark
 * conf, or {@code SET spark.seqattn.model=…} in SQL), so one application can switch models per
 * session. A model directory is loaded and broadcast once per application and directory path: to
 * use a changed model, write it to a new directory and point the conf there.
 *
 * <p>Spark offers no public way to turn a {@link UserDefinedFunction} into the expression a
 * function builder returns; this class uses the two internal helpers Spark's own
 * {@code UDFRegistration.register(name, udf)} uses, so it follows that method from release to release.
 */
public final class SeqAttnSessionExtensions implements SparkSessionExtensionsProvider {
  /** The Spark conf naming the model directory the functions use. */
  public static final String MODEL_CONF = "spark.seqattn.model";

  /** Per application (SparkContext) and model path: the functions, so each model is broadcast once. */
  private static final Map<SparkContext, Map<String, Map<String, UserDefinedFunction>>> LOADED = new WeakHashMap<>();

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (SeqAttnFunctions.Signature f : SeqAttnFunctions.SIGNATURES) {
      ExpressionInfo info = new ExpressionInfo(SeqAttnSessionExtensions.class.getName(), null, f.name(),
          "_FUNC_(" + String.join(", ", f.arguments()) + ") - " + f.usage()
              + " (seqattn, for the model in " + MODEL_CONF + ")", "");
      Function1<Seq<Expression>, Expression> builder = children -> expression(f, children);
      extensions.injectFunction(new Tuple3<>(new FunctionIdentifier(f.name()), info, builder));
    }
    return BoxedUnit.UNIT;
  }

  /** The call {@code f(children)} as the expression of the active session's model. */
  private static Expression expression(SeqAttnFunctions.Signature f, Seq<Expression> children) {
    if (children.size() != f.arguments().size()) {
      throw new IllegalArgumentException(f.name() + " takes " + f.arguments().size() + " argument"
          + (f.arguments().size() == 1 ? "" : "s") + ", " + f.call() + ", not " + children.size());
    }
    UserDefinedFunction udf = functionsOf(SparkSession.active(), f.name()).get(f.name()).withName(f.name());
    if (udf instanceof UserDefinedAggregator<?, ?, ?> aggregate) {
      return ScalaAggregator$.MODULE$.apply(aggregate, children);
    }
    return UserDefinedFunctionUtils$.MODULE$.toScalaUDF((SparkUserDefinedFunction) udf, children);
  }

  /** The functions of the model {@code session}'s conf names, loaded and broadcast on first use. */
  private static Map<String, UserDefinedFunction> functionsOf(SparkSession session, String calledAs) {
    String dir = session.conf().get(MODEL_CONF, "");
    if (dir.isBlank()) {
      throw new IllegalArgumentException(calledAs + ": no model: set " + MODEL_CONF
          + " to a model directory (--conf " + MODEL_CONF + "=models/dna, or SET " + MODEL_CONF + "=… in SQL)");
    }
    String key = Path.of(dir).toAbsolutePath().normalize().toString();
    synchronized (LOADED) {
      Map<String, Map<String, UserDefinedFunction>> models = LOADED.computeIfAbsent(session.sparkContext(),
          sc -> new HashMap<>());
      Map<String, UserDefinedFunction> functions = models.get(key);
      if (functions == null) {
        functions = SeqAttnFunctions.functions(session, load(calledAs, key));
        models.put(key, functions);
      }
      return functions;
    }
  }

  private static Model load(String calledAs, String dir) {
    try {
      return ModelDirectory.load(Path.of(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(cannotLoad(calledAs, dir, e), e);
    } catch (ModelFormatException e) {
      throw new IllegalArgumentException(cannotLoad(calledAs, dir, e), e);
    }
  }

  private static String cannotLoad(String calledAs, String dir, Exception e) {
    return calledAs + ": cannot load the model " + MODEL_CONF + "=" + dir + ": " + e.getMessage();
  }
}
