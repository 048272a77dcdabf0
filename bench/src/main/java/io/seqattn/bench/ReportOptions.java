package io.seqattn.bench;

import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** The JMH options every report of this module runs with: one fork, the sgemm peak, parameters from the command line. */
final class ReportOptions {
  private ReportOptions() {}

  /**
   * The sgemm peak and the benchmarks matching {@code include}, one fork, with the parameter
   * restrictions {@code NAME=VALUE[,VALUE...]} of {@code args} from index {@code from} on.
   */
  static OptionsBuilder builder(String include, String[] args, int from) {
    OptionsBuilder builder = new OptionsBuilder();
    for (int i = from; i < args.length; i++) {
      String[] param = args[i].split("=", 2);
      if (param.length != 2) {
        throw new IllegalArgumentException("expected NAME=VALUE[,VALUE...], got '" + args[i] + "'");
      }
      builder.param(param[0], param[1].split(","));
    }
    builder.include(SgemmPeak.class.getSimpleName()).include(include).forks(1).jvmArgsAppend("-Xmx3g");
    return builder;
  }

  /** {@code builder} with two warm-up and three measured iterations of the given seconds. */
  static Options timed(OptionsBuilder builder, int warmupSeconds, int measureSeconds) {
    return builder.warmupIterations(2).warmupTime(TimeValue.seconds(warmupSeconds))
        .measurementIterations(3).measurementTime(TimeValue.seconds(measureSeconds)).build();
  }
}
