package io.seqattn.job.cli;

import io.seqattn.core.io.NpyFormatException;
import io.seqattn.core.model.ModelFormatException;
import io.seqattn.job.input.InputException;
import io.seqattn.job.plan.OutputDirectory;
import io.seqattn.job.plan.RunDirectory;
import io.seqattn.udfs.DuplicateSequenceException;
import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code seqattn} command line. Errors the user can fix (bad input, a bad model, an existing
 * output) print one line naming the file and exit with status 1; usage errors exit with 2.
 */
@Command(name = "seqattn", mixinStandardHelpOptions = true, versionProvider = SeqAttn.Version.class,
    description = "Kernelized linear attention over very long sequences, on Apache Spark.",
    subcommands = {RunCommand.class, InitModelCommand.class, ExportCommand.class, DigestCommand.class,
        IndexCommand.class,
        ApproxErrorCommand.class, ClassifyCommand.class,
        CommandLine.HelpCommand.class})
public final class SeqAttn implements Runnable {

  /** Exceptions whose message alone tells the user what to fix; anything else also gets a stack trace. */
  private static final Set<Class<? extends Throwable>> USER_ERRORS = Set.of(InputException.class,
      ModelFormatException.class, NpyFormatException.class, OutputDirectory.OutputExistsException.class,
      RunDirectory.RunDirectoryException.class,
      DuplicateSequenceException.class, UserException.class);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

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
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter out = commandLine.getErr();
      Throwable userError = findUserError(e);
      if (userError != null) {
        out.println("seqattn: error: " + userError.getMessage());
      } else {
        out.println("seqattn: failed: " + e);
        e.printStackTrace(out);
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

  static Throwable findUserError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      for (Class<? extends Throwable> type : USER_ERRORS) {
        if (type.isInstance(t)) {
          return t;
        }
      }
    }
    return null;
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
