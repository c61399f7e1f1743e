package dev.outpost.spec.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.json.JsonErrors;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.json.YamlAnchors;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Resources;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/** The rules for one {@link Integration} on its own (cross-references are {@link StateValidator}'s). */
final class IntegrationRules {
  static final int MAX_REPLICAS = 20;
  /** A Kubernetes quantity without sign: {@code 250m}, {@code 0.5}, {@code 512Mi}, {@code 1e3}. */
  private static final Pattern QUANTITY =
      Pattern.compile("([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?");

  private IntegrationRules() {}

  static void check(Integration integration, String path, Problems problems) {
    String name = integration.name();
    Names.checkLabel(name, Problems.field(path, "name"), problems);
    if (Names.isLabel(name) && name.length() > Names.MAX_INTEGRATION_NAME) {
      problems.add(Problems.field(path, "name"), "must be at most " + Names.MAX_INTEGRATION_NAME
          + " characters (int-NAME becomes a Kubernetes name)");
    }
    Names.checkProject(integration.project(), Problems.field(path, "project"), problems);
    if (integration.version() != null && !Names.isVersion(integration.version())) {
      problems.add(Problems.field(path, "version"), "must match [A-Za-z0-9._-]{1,63}");
    }
    if (integration.source() != null) {
      checkSource(integration.source(), Problems.field(path, "source"), problems);
    }
    if (integration.replicas() < 0 || integration.replicas() > MAX_REPLICAS) {
      problems.add(Problems.field(path, "replicas"), "must be between 0 and " + MAX_REPLICAS);
    }
    if (integration.resources() != null) {
      checkResources(integration.resources(), Problems.field(path, "resources"), problems);
    }
    SecretRules.checkIntegration(integration, path, problems);
  }

  /**
   * How deep an integration's YAML may nest: deeper than any route needs (a nested choice takes
   * about four levels). Camel's YAML parser has no limit and recurses once per level; about 1,000
   * levels, 12 KB of brackets, overflow a thread's stack in the runtime.
   */
  public static final int MAX_SOURCE_NESTING = 200;

  private static final ObjectMapper SOURCE_YAML = depthLimited(Mappers.YAML, MAX_SOURCE_NESTING);

  private static ObjectMapper depthLimited(ObjectMapper mapper, int maxNesting) {
    ObjectMapper copy = mapper.copy();
    copy.getFactory().setStreamReadConstraints(
        copy.getFactory().streamReadConstraints().rebuild().maxNestingDepth(maxNesting).build());
    return copy;
  }

  private static void checkSource(String source, String path, Problems problems) {
    if (source.isBlank()) {
      problems.add(path, "must not be empty");
      return;
    }
    // Past the bound, DocumentSizeRules refuses it, naming it; SnakeYAML is not given it: it copies its
    // read window per 1,024 characters of one line, and a 9 MiB comment line (in JSON, or a quoted YAML
    // value folded over short lines) took minutes. A UTF-8 byte per character at least, and JSON only
    // adds escapes; within the bound no line is past the YamlLines limit either.
    if (source.length() > DocumentSizeRules.MAX_DOCUMENT_BYTES) {
      return;
    }
    try {
      JsonNode routes = SOURCE_YAML.readTree(source);
      if (routes == null || !routes.isArray() || routes.isEmpty()) {
        problems.add(path, "must be a non-empty YAML list (Camel YAML DSL)");
      } else if (YamlAnchors.hasAlias(source)) {
        // Camel's parser reads an alias as the anchored tree: a chain of anchors, each holding the one
        // before, gave Camel thousands of levels (its parser overflowed the runtime's stack), and two
        // aliases per anchor double the steps at each
        problems.add(path, "uses a YAML alias (*name), which is not supported: write the steps out");
      }
    } catch (StreamConstraintsException e) {
      problems.add(path, "is nested deeper than " + MAX_SOURCE_NESTING + " levels");
    } catch (JsonProcessingException e) {
      problems.add(path, "is not valid YAML: " + JsonErrors.describe(e));
    }
  }

  private static void checkResources(Resources resources, String path, Problems problems) {
    checkQuantity(resources.requestsCpu(), Problems.field(path, "requestsCpu"), problems);
    checkQuantity(resources.requestsMemory(), Problems.field(path, "requestsMemory"), problems);
    checkQuantity(resources.limitsCpu(), Problems.field(path, "limitsCpu"), problems);
    checkQuantity(resources.limitsMemory(), Problems.field(path, "limitsMemory"), problems);
    // Kubernetes refuses the whole Deployment otherwise, and the integration failed only once applied
    checkAtMost(resources.requestsCpu(), resources.limitsCpu(), Problems.field(path, "requestsCpu"),
        Problems.field(path, "limitsCpu"), problems);
    checkAtMost(resources.requestsMemory(), resources.limitsMemory(), Problems.field(path, "requestsMemory"),
        Problems.field(path, "limitsMemory"), problems);
  }

  private static void checkAtMost(String request, String limit, String requestPath, String limitPath, Problems problems) {
    if (request == null || limit == null || !QUANTITY.matcher(request).matches() || !QUANTITY.matcher(limit).matches()) {
      return;
    }
    BigDecimal requested = amount(request, requestPath, problems);
    BigDecimal allowed = amount(limit, limitPath, problems);
    if (requested != null && allowed != null && requested.compareTo(allowed) > 0) {
      String limitName = limitPath.substring(limitPath.lastIndexOf('.') + 1);
      problems.add(requestPath, "must not be more than " + limitName + " (" + limit + ")");
    }
  }

  /** The quantity's amount, or null with a problem when its exponent is past what a number can hold (1e3000000000). */
  private static BigDecimal amount(String quantity, String path, Problems problems) {
    try {
      return Quantities.amount(quantity);
    } catch (NumberFormatException | ArithmeticException e) {
      problems.add(path, "is too large a quantity");
      return null;
    }
  }

  private static void checkQuantity(String value, String path, Problems problems) {
    if (value != null && !QUANTITY.matcher(value).matches()) {
      problems.add(path, "must be a Kubernetes quantity (e.g. 250m, 0.5, 512Mi)");
    }
  }
}
