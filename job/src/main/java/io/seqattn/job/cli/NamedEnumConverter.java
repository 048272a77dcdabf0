package io.seqattn.job.cli;

import java.util.Arrays;
import picocli.CommandLine;

/**
 * Converts an option value to the enum constant whose {@code toString()} it names, ignoring case —
 * the lower-case names users type and run.json records ({@code --format fasta}, {@code --validation
 * lenient}, {@code --attention softmax}) — and refuses anything else listing the names.
 */
final class NamedEnumConverter<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {
  private final Class<E> type;

  NamedEnumConverter(Class<E> type) {
    this.type = type;
  }

  @Override
  public E convert(String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.toString().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    throw new CommandLine.TypeConversionException("'" + value + "' is not one of "
        + Arrays.toString(type.getEnumConstants()));
  }

  /** Registers a converter for each enum type with the command line and all its subcommands. */
  @SafeVarargs
  static void registerAll(CommandLine cli, Class<? extends Enum<?>>... types) {
    for (Class<? extends Enum<?>> type : types) {
      register(cli, type);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void register(CommandLine cli, Class<? extends Enum<?>> type) {
    cli.registerConverter((Class) type, new NamedEnumConverter(type));
  }
}
