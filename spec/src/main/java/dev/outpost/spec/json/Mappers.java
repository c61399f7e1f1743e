package dev.outpost.spec.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The two Jackson mappers every spec document goes through. Duplicate keys are rejected when
 * parsing (a signed document must not be readable two ways) and decimals are kept exact; nulls are
 * omitted and map entries sorted when writing, so output is stable. Shared instances: use them,
 * never reconfigure them.
 */
public final class Mappers {
  // one JSON value per text: "{a}{b}" read as {a}, a second frame or bytes after a signed
  // document went unseen (PROTOCOL.md section 2: a frame is exactly one JSON object)
  public static final ObjectMapper JSON = configure(JsonMapper.builder(JsonFactory.builder()
          // a syntax error quotes the token it met: the first characters of a sender's 4 MiB one
          .errorReportConfiguration(ErrorReportConfiguration.builder().maxErrorTokenLength(Quoted.MAX_CHARACTERS).build())
          .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build());

  public static final ObjectMapper YAML = configure(YAMLMapper.builder(YAMLFactory.builder()
          .loaderOptions(loaderOptions())
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .stringQuotingChecker(new YamlQuoting())
          .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      // a second document ("---") was read as nothing; Camel's loader refuses it later, at the runtime
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build());

  /**
   * The most characters a YAML document may have: the 10 MiB body the control plane and {@code
   * ./outpost deploy} take, and take as JSON. SnakeYAML's default, 3 Mi, refused YAML bodies past it.
   * What SnakeYAML cannot take in bulk is one long line, which {@link YamlLines} refuses first.
   */
  public static final int MAX_YAML_CODE_POINTS = 10 * 1024 * 1024;

  private Mappers() {}

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_YAML_CODE_POINTS);
    return options;
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    // Exact decimals, so that 1.0000000000000000001 is not silently read as the integer 1.
    return mapper
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }
}
