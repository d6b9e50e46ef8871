package io.chatvector.cli;

import io.chatvector.Sizes;
import io.chatvector.format.DType;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value converters, so that bad values are usage errors (exit 2) with a clear message. */
final class Converters {
  private Converters() {
  }

  static final class OutputType implements ITypeConverter<DType> {
    @Override
    public DType convert(String value) {
      try {
        return DType.parseOutputType(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class Size implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return Sizes.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A size, or {@code auto} (0): chosen from the job. */
  static final class SizeOrAuto implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      if (value.equalsIgnoreCase("auto")) {
        return 0L;
      }
      try {
        return new Size().convert(value);
      } catch (TypeConversionException e) {
        throw new TypeConversionException(e.getMessage() + ", or auto");
      }
    }
  }

  static final class Regex implements ITypeConverter<Pattern> {
    @Override
    public Pattern convert(String value) {
      try {
        return Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new TypeConversionException("Cannot compile regular expression '" + value + "': "
            + e.getDescription());
      }
    }
  }
}
