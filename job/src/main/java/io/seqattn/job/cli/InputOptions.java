package io.seqattn.job.cli;

import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Storage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The input options of the commands that read sequences: the files, their format, the JSONL fields. */
final class InputOptions {
  @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
      description = "Input files or directories, local or on any Hadoop file system (hdfs://, s3a://, …); "
          + "a directory contributes its files of the chosen format.")
  List<String> inputs;

  @Option(names = "--format", required = true, paramLabel = "FORMAT",
      description = "Input format: ${COMPLETION-CANDIDATES} (.gz accepted for all).")
  InputFormat format;

  @Option(names = "--id-field", defaultValue = "id", paramLabel = "NAME",
      description = "JSONL field (or, with --format ids, Parquet column) holding the document id "
          + "(default: ${DEFAULT-VALUE}).")
  String idField;

  @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME",
      description = "JSONL field holding the document text (default: ${DEFAULT-VALUE}).")
  String textField;

  @Option(names = "--ids-field", defaultValue = "ids", paramLabel = "NAME",
      description = "--format ids: JSONL field or Parquet column holding each record's array of token ids "
          + "(default: ${DEFAULT-VALUE}).")
  String idsField;

  /**
   * The inputs as files: a directory contributes its files of the format, sorted by name. Local
   * paths are made absolute; Hadoop file system URIs ({@code hdfs://…}, {@code s3a://…}) are kept.
   */
  List<InputFile> files() throws IOException {
    List<InputFile> files = new ArrayList<>();
    for (String p : inputs) {
      if (Storage.isDirectory(p)) {
        List<String> matching = Storage.list(p).stream()
            .filter(f -> format.accepts(Storage.fileName(f))).toList();
        if (matching.isEmpty()) {
          throw new SeqAttn.UserException(p + ": directory has no " + format + " files ("
              + String.join(", ", format.suffixes()) + ")");
        }
        matching.forEach(f -> files.add(new InputFile(f, format)));
      } else if (Storage.isReadableFile(p)) {
        files.add(new InputFile(Storage.absolute(p), format));
      } else {
        throw new SeqAttn.UserException(p + ": no such file or directory");
      }
    }
    return files;
  }
}
