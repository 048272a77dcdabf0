package io.seqattn.job.cli;

import io.seqattn.core.checkpoint.CheckpointLayouts;
import io.seqattn.core.mixer.Mixers;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Validation;
import io.seqattn.job.plan.BetweenLayers;
import java.io.PrintWriter;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code seqattn} command line. Every failure prints one line, {@code seqattn: error: WHAT}
 * ({@link FailureReport}) — for errors the user can fix (bad input, a bad model, an existing output)
 * WHAT names the file, line and what to do — and exits with status 1, also when the failure started
 * inside a Spark task; usage errors (an unknown option, a value that is not one of an option's
 * choices) print one line too and exit with 2. Spark's own reports and stack traces go to the log
 * file ({@link ConsoleLogging}), and to the console with {@code --verbose}.
 */
@Command(name = "seqattn", mixinStandardHelpOptions = true, versionProvider = SeqAttn.Version.class,
    description = "Kernelized linear attention over very long sequences, on Apache Spark.",
    subcommands = {RunCommand.class, InitModelCommand.class, ImportCommand.class, ExportCommand.class, ReportCommand.class, DigestCommand.class,
        IndexCommand.class, TrainCommand.class,
        ApproxErrorCommand.class, ClassifyCommand.class,
        CommandLine.HelpCommand.class})
public final class SeqAttn implements Runnable {
  /** Where a failed command's stack trace goes: the log file (conf/log4j2.properties), not the console. */
  private static final Logger FAILURES = LogManager.getLogger("io.seqattn.failures");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Also show Spark's reports of failed tasks and stack traces on the console (they always go to "
          + "the log file).")
  void setVerbose(boolean verbose) {
    if (verbose) {
      ConsoleLogging.verbose();
    }
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit status (used by tests instead of {@link #main}). */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.err, true), args);
  }

  /** As {@link #execute(String...)}, with error messages going to {@code err}. */
  public static int execute(PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new SeqAttn());
    cli.setErr(err);
    NamedEnumConverter.registerAll(cli, InputFormat.class, Validation.class, Mixers.class, BetweenLayers.class,
        CheckpointLayouts.class);
    cli.setParameterExceptionHandler((e, given) -> {
      PrintWriter out = e.getCommandLine().getErr();
      out.println("seqattn: error: " + e.getMessage() + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName()
          + " --help')");
      out.flush();
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter out = commandLine.getErr();
      FailureReport report = FailureReport.of(e);
      FAILURES.error(report.message(), e);
      out.println(report.line(ConsoleLogging.logFile()));
      if (report.unexpected() && ConsoleLogging.logFile() == null && !verbose(parseResult)) {
        e.printStackTrace(out); // no log file to read it in
      }
      out.flush();
      return 1;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Whether {@code --verbose} was given anywhere on the command line. */
  private static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** A problem with the command's arguments or environment, explained by its message. */
  public static final class UserException extends RuntimeException {
    public UserException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SeqAttn.class.getPackage().getImplementationVersion();
      return new String[] {"seqattn " + (v == null ? "(development build)" : v)};
    }
  }
}
